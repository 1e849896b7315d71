using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace XmppUpload.Testing;

/// <summary>
/// A child process whose stdout and stderr are captured line by line (for waiting on readiness lines and for
/// test failure messages). Disposing kills the whole process tree, so a failed test leaves nothing running.
/// </summary>
public sealed class ExternalProcess : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _standardOutput = new();
    private readonly StringBuilder _standardError = new();
    private readonly List<OutputWaiter> _waiters = [];
    private readonly Task _pumps;
    private bool _outputEnded;
    private bool _disposed;

    private ExternalProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _pumps = Task.WhenAll(
            Task.Run(() => PumpAsync(process.StandardOutput, _standardOutput)),
            Task.Run(() => PumpAsync(process.StandardError, _standardError)))
            .ContinueWith(_ => EndOutput(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>A short name for messages, e.g. "prosody".</summary>
    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code; only valid once <see cref="HasExited"/> is true.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Completes when stdout and stderr reached end of file: every process holding those pipes (the process and any
    /// descendant that inherited them) has exited or closed them.
    /// </summary>
    public Task OutputClosed => _pumps;

    /// <summary>Everything written to stdout and stderr so far, in the order the lines arrived.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _standardOutput.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _standardError.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/> passed as separate argv entries (no shell
    /// quoting). Standard input is closed at once, so nothing can block reading it.
    /// </summary>
    public static ExternalProcess Start(string fileName, IEnumerable<string> arguments, ExternalProcessOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        options ??= new ExternalProcessOptions();

        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = options.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in options.Environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(key);
            }
            else
            {
                startInfo.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = startInfo };
        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException($"Could not start {fileName}.");
            }
        }
        catch
        {
            process.Dispose();
            throw;
        }

        process.StandardInput.Close();
        return new ExternalProcess(options.Name ?? Path.GetFileName(fileName), process);
    }

    /// <summary>
    /// Waits until a line of stdout or stderr (one already received, or a later one) satisfies
    /// <paramref name="predicate"/>, and returns that line.
    /// </summary>
    /// <exception cref="TimeoutException">No such line within <paramref name="timeout"/>; the message holds the output.</exception>
    /// <exception cref="InvalidOperationException">The process closed its output without such a line.</exception>
    public async Task<string> WaitForOutputAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var waiter = new OutputWaiter(predicate);
        lock (_gate)
        {
            foreach (var line in _lines)
            {
                if (predicate(line))
                {
                    return line;
                }
            }

            if (_outputEnded)
            {
                throw new InvalidOperationException($"{Name} ended its output without the awaited line.{Describe()}");
            }

            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Completion.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} printed no awaited line within {timeout}.{Describe()}");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waits until a line containing <paramref name="substring"/> (ordinal) appears; see the predicate overload.</summary>
    public Task<string> WaitForOutputAsync(string substring, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(substring);
        return WaitForOutputAsync(line => line.Contains(substring, StringComparison.Ordinal), timeout, cancellationToken);
    }

    /// <summary>Waits for the process to exit and its output to be read to the end; returns the exit code.</summary>
    /// <exception cref="TimeoutException">Still running after <paramref name="timeout"/> (it is not killed here).</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout}.{Describe()}");
        }

        // A grandchild that inherited the pipes can hold them open after the process itself exited.
        await _pumps.WaitAsync(OutputDrainTimeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return _process.ExitCode;
    }

    /// <summary>Waits until 127.0.0.1:<paramref name="port"/> accepts a connection; fails at once if this process exits first.</summary>
    public Task WaitForPortAsync(int port, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForPortAsync(port, timeout, this, cancellationToken);

    /// <summary>
    /// Waits until 127.0.0.1:<paramref name="port"/> accepts a TCP connection, retrying refused connects on a short
    /// backoff (there is no other signal for "listening" from a foreign process).
    /// </summary>
    /// <param name="owner">The process expected to listen; its exit ends the wait with its output in the message.</param>
    public static async Task WaitForPortAsync(int port, TimeSpan timeout, ExternalProcess? owner = null, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            if (owner is { HasExited: true })
            {
                throw new InvalidOperationException(
                    $"{owner.Name} exited with code {owner.ExitCode} before port {port} accepted connections.{owner.Describe()}");
            }

            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), deadline.Token);
                return;
            }
            catch (SocketException)
            {
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Timeout();
            }

            try
            {
                await Task.Delay(delay, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Timeout();
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
        }

        TimeoutException Timeout() =>
            new($"Nothing accepted connections on 127.0.0.1:{port} within {timeout}.{owner?.Describe()}");
    }

    /// <summary>Kills the process and all its descendants (if still running) and releases the handles.</summary>
    public void Dispose()
    {
        if (!KillTree())
        {
            return;
        }

        _process.WaitForExit(OutputDrainTimeout);
        _pumps.Wait(OutputDrainTimeout);
        _process.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (!KillTree())
        {
            return;
        }

        await _process.WaitForExitAsync().WaitAsync(OutputDrainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _pumps.WaitAsync(OutputDrainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
    }

    public override string ToString() => $"{Name} (pid {_process.Id}){Describe()}";

    /// <summary>The output as a block for exception messages.</summary>
    internal string Describe()
    {
        var output = Output;
        return output.Length == 0 ? $"{Environment.NewLine}({Name} printed nothing)" : $"{Environment.NewLine}--- {Name} output ---{Environment.NewLine}{output}--- end of {Name} output ---";
    }

    private bool KillTree()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = true;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }

        return true;
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder stream)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            List<OutputWaiter> matched = [];
            lock (_gate)
            {
                _lines.Add(line);
                _output.AppendLine(line);
                stream.AppendLine(line);
                foreach (var waiter in _waiters)
                {
                    if (waiter.Predicate(line))
                    {
                        matched.Add(waiter);
                    }
                }
            }

            foreach (var waiter in matched)
            {
                waiter.Completion.TrySetResult(line);
            }
        }
    }

    private void EndOutput()
    {
        List<OutputWaiter> pending;
        lock (_gate)
        {
            _outputEnded = true;
            pending = [.. _waiters];
        }

        foreach (var waiter in pending)
        {
            waiter.Completion.TrySetException(
                new InvalidOperationException($"{Name} ended its output without the awaited line.{Describe()}"));
        }
    }

    private sealed class OutputWaiter(Func<string, bool> predicate)
    {
        public Func<string, bool> Predicate { get; } = predicate;

        public TaskCompletionSource<string> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
