namespace XmppUpload.Core.Ports;

/// <summary>
/// Channel names of the <see cref="INodeBus"/>: lower-case ASCII letters, digits and underscores, starting with a letter,
/// at most 63 characters, so that every bus can use them as they are (a PostgreSQL identifier needs no quoting then).
/// </summary>
public static class NodeBusChannels
{
    public const int MaxLength = 63;

    public static bool IsValid(string? channel) =>
        !string.IsNullOrEmpty(channel)
        && channel.Length <= MaxLength
        && channel[0] is >= 'a' and <= 'z'
        && channel.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="channel"/> is not valid.</summary>
    public static void ThrowIfInvalid(string? channel)
    {
        if (!IsValid(channel))
        {
            throw new ArgumentException(
                $"'{channel}' is not a bus channel: use 1 to {MaxLength} lower-case letters, digits or underscores, starting with a letter.",
                nameof(channel));
        }
    }
}
