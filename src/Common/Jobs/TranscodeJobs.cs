using StackExchange.Redis;

namespace Vod.Common.Jobs;

/// <summary>
/// The transcode job stream: the origin appends one entry per title to a Redis Stream, and every transcoder reads
/// it as a member of one consumer group, so each job goes to one worker and an unacknowledged job stays pending
/// until a worker acknowledges it or another claims it.
/// </summary>
public static class TranscodeJobs
{
    public const string Stream = RedisKeys.JobStream;
    public const string Group = RedisKeys.JobGroup;
    public const string TitleIdField = "title";

    /// <summary>
    /// Creates the stream and group if missing. The group starts at the beginning of the stream, so jobs added
    /// before any transcoder ran are still read. Both sides call it; the second call is a no-op.
    /// </summary>
    public static async Task EnsureGroupAsync(IDatabase db)
    {
        try
        {
            await db.StreamCreateConsumerGroupAsync(Stream, Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }
}
