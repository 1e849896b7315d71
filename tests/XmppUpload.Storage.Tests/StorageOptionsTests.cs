using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.FileProviders;

namespace XmppUpload.Storage.Tests;

public sealed class StorageOptionsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Validate_MissingButCreatableDirectory_SucceedsAndCreatesIt()
    {
        var path = _directory.Combine("data", "node");

        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { Path = path });

        Assert.True(result.Succeeded);
        Assert.True(Directory.Exists(path));
        Assert.Empty(Directory.GetFileSystemEntries(path));
    }

    [Fact]
    public void Validate_PathBelowAFile_FailsWithOneLineNamingTheKey()
    {
        var file = _directory.Combine("occupied");
        File.WriteAllText(file, "not a directory");
        var path = Path.Combine(file, "data");

        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { Path = path });

        Assert.True(result.Failed);
        var message = Assert.Single(result.Failures!);
        Assert.StartsWith($"Storage:Path '{path}' cannot be created: set Storage:Path to a directory the node can write (environment variable Storage__Path).", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_EmptyPath_Fails(string path)
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { Path = path });

        Assert.Equal(
            "Storage:Path is empty: set Storage:Path to a directory the node can write (environment variable Storage__Path).",
            Assert.Single(result.Failures!));
    }

    [Fact]
    public void PostConfigure_RelativePath_IsTakenFromTheContentRoot()
    {
        var options = new StorageOptions { Path = "./var/../data" };

        new StorageOptionsSetup(new Environment(_directory.Path)).PostConfigure(null, options);

        Assert.Equal(_directory.Combine("data"), options.Path);
    }

    [Fact]
    public void PostConfigure_AbsolutePath_IsKept()
    {
        var absolute = _directory.Combine("elsewhere");
        var options = new StorageOptions { Path = absolute };

        new StorageOptionsSetup(new Environment("/somewhere/else")).PostConfigure(null, options);

        Assert.Equal(absolute, options.Path);
    }

    private sealed class Environment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = contentRoot;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
