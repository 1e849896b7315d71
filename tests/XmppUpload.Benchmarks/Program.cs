using System.Globalization;
using XmppUpload.Benchmarks;

// Usage: XmppUpload.Benchmarks put-get [size in MiB, default 1024] [runs, default 3]
if (args.Length == 0 || args[0] != "put-get")
{
    Console.Error.WriteLine("usage: XmppUpload.Benchmarks put-get [size-MiB] [runs]");
    return 2;
}

var sizeMiB = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 1024;
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(30));
return await new PutGetRun(sizeMiB * 1024 * 1024, runs).RunAsync(cancellation.Token);
