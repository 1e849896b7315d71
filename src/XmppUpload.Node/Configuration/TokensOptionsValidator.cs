using System.Buffers.Text;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Node.Configuration;

/// <summary>
/// Refuses a <c>Tokens</c> section the node could not sign or verify with, one line per problem naming the key (never
/// its secret).
/// </summary>
internal sealed class TokensOptionsValidator(TimeProvider time) : IValidateOptions<TokensOptions>
{
    private const int MaxIdLength = 64;

    private const string Generate = "openssl rand -base64 32";

    private static readonly TimeSpan MaxReloadInterval = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, TokensOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.KeyReloadInterval < TimeSpan.FromSeconds(1) || options.KeyReloadInterval > MaxReloadInterval)
        {
            failures.Add("Tokens:KeyReloadInterval must be a duration between 00:00:01 and 01:00:00 (for example 00:01:00).");
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < options.SigningKeys.Count; i++)
        {
            var key = options.SigningKeys[i];
            var at = $"{TokensOptions.SectionName}:{nameof(TokensOptions.SigningKeys)}:{i}";
            if (string.IsNullOrWhiteSpace(key.Id))
            {
                failures.Add($"{at}:Id is missing: give each key a name of letters, digits, '-' and '_', such as 2026-11.");
                continue;
            }

            if (!IsValidId(key.Id))
            {
                // The value is not repeated: it may hold anything, even a line break.
                failures.Add($"{at}:Id may hold only letters, digits, '-' and '_', at most {MaxIdLength} of them: tokens carry it between dots.");
                continue;
            }

            if (ids.TryGetValue(key.Id, out var first))
            {
                failures.Add($"{at}:Id '{key.Id}' is also the id of {TokensOptions.SectionName}:{nameof(TokensOptions.SigningKeys)}:{first}: give each key its own id.");
                continue;
            }

            ids.Add(key.Id, i);
            if (SecretProblem(key.Secret) is { } problem)
            {
                failures.Add($"{at}:Secret of key '{key.Id}' {problem}");
            }
        }

        if (failures.Count == 0 && options.UsesConfiguredKeys)
        {
            var now = time.GetUtcNow();
            var keys = options.SigningKeys.Select(k => k.ToSigningKey()).ToList();
            if (!keys.Any(k => k.IsActiveAt(now)))
            {
                var earliest = keys.MinBy(k => k.ActivatesAt)!;
                failures.Add(
                    $"{TokensOptions.SectionName}:{nameof(TokensOptions.SigningKeys)} has no key that signs now: the first, '{earliest.Id}', "
                    + $"activates at {earliest.ActivatesAt:O}; leave ActivatesAt out of the key that should sign from the start.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsValidId(string id) =>
        id.Length <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string? SecretProblem(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret))
        {
            return $"is missing: set at least {SigningKey.SecretLength} random bytes in base64 ({Generate}).";
        }

        if (!Base64.IsValid(secret, out var length))
        {
            return $"is not base64: set at least {SigningKey.SecretLength} random bytes in base64 ({Generate}).";
        }

        return length < SigningKey.SecretLength
            ? $"has {length} bytes; it needs at least {SigningKey.SecretLength} ({Generate})."
            : null;
    }
}
