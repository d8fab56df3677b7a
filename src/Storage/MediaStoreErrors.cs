using Amazon.Runtime;

namespace Vod.Storage;

public static class MediaStoreErrors
{
    /// <summary>
    /// Whether a failure is the remote store not answering or refusing (its endpoint down, a timeout, an error status):
    /// something that passes, reported as "unavailable" rather than as a fault of the request or the title.
    /// </summary>
    public static bool IsUnavailable(Exception e) =>
        e is AmazonClientException or HttpRequestException || (e is TaskCanceledException { InnerException: TimeoutException });
}
