using Microsoft.Extensions.Options;

namespace XmppUpload.Storage.AzureBlob;

/// <summary>
/// Fails the start with one line naming <c>ConnectionStrings:BlobStore</c> or <c>BlobStore:Container</c> when the
/// Azure blob store could not work with them.
/// </summary>
internal sealed class AzureBlobStorageOptionsValidator : IValidateOptions<AzureBlobStorageOptions>
{
    private const string ConnectionStringRemedy =
        "set ConnectionStrings:BlobStore (environment variable ConnectionStrings__BlobStore) to the storage account's connection string, "
        + "e.g. DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net, or UseDevelopmentStorage=true for Azurite";

    private const string ContainerRemedy =
        "set BlobStore:Container (environment variable BlobStore__Container) to 3 to 63 lower-case letters, digits and single hyphens, "
        + $"starting and ending with a letter or digit (default {AzureBlobStorageOptions.DefaultContainer})";

    public ValidateOptionsResult Validate(string? name, AzureBlobStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"ConnectionStrings:BlobStore is not set: {ConnectionStringRemedy}.");
        }

        if (!AzureStorageConnectionString.TryParse(options.ConnectionString, out _, out var error))
        {
            return ValidateOptionsResult.Fail($"ConnectionStrings:BlobStore is not a usable connection string ({error}): {ConnectionStringRemedy}.");
        }

        if (ContainerProblem(options.Container) is { } problem)
        {
            return ValidateOptionsResult.Fail($"BlobStore:Container {problem}: {ContainerRemedy}.");
        }

        return ValidateOptionsResult.Success;
    }

    /// <summary>What is wrong with a container name by the service's naming rules, or null when nothing is.</summary>
    internal static string? ContainerProblem(string? container)
    {
        if (string.IsNullOrEmpty(container))
        {
            return "is empty";
        }

        if (container.Length is < 3 or > 63)
        {
            return $"'{container}' is not 3 to 63 characters long";
        }

        foreach (var c in container)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return $"'{container}' holds a character other than a-z, 0-9 and '-'";
            }
        }

        if (container[0] == '-' || container[^1] == '-' || container.Contains("--", StringComparison.Ordinal))
        {
            return $"'{container}' starts or ends with '-' or holds '--'";
        }

        return null;
    }
}
