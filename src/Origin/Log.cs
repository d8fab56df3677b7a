namespace Vod.Origin;

/// <summary>
/// Every log message of this service in one place, each with an event id unique in the assembly and an event name
/// (as aspnetcore's OutputCaching keeps its messages in one LoggerExtensions.cs): a log line can be found from its id.
/// </summary>
internal static partial class Log
{
    // Catalog/CatalogEvents.cs
    [LoggerMessage(1, LogLevel.Warning, "Catalog events: reading the catalog failed: {Reason}", EventName = "ReadFailed")]
    public static partial void ReadFailed(ILogger logger, string reason);

    // Edges/EdgeMonitor.cs
    [LoggerMessage(2, LogLevel.Information, "Edge {EdgeId} ({Url}) is {State}: {Reason}", EventName = "StateChanged")]
    public static partial void StateChanged(ILogger logger, string edgeId, string url, string state, string reason);

    [LoggerMessage(3, LogLevel.Information, "Edge {EdgeId} left the registry", EventName = "Left")]
    public static partial void Left(ILogger logger, string edgeId);

    [LoggerMessage(4, LogLevel.Warning, "Edge registry unavailable, keeping the last known fleet: {Reason}", EventName = "RegistryUnavailable")]
    public static partial void RegistryUnavailable(ILogger logger, string reason);

    // Jobs/JobQueue.cs
    [LoggerMessage(5, LogLevel.Information, "Enqueued transcode job for title {TitleId}", EventName = "Enqueued")]
    public static partial void Enqueued(ILogger logger, string titleId);

    [LoggerMessage(6, LogLevel.Warning, "Could not enqueue title {TitleId} yet, will retry: {Reason}", EventName = "EnqueueFailed")]
    public static partial void EnqueueFailed(ILogger logger, string titleId, string reason);

    [LoggerMessage(7, LogLevel.Information, "Job stream recovery: {Count} titles enqueued again from the catalog on disk", EventName = "Recovered")]
    public static partial void Recovered(ILogger logger, int count);

    [LoggerMessage(8, LogLevel.Warning, "Title {TitleId} is queued but has no job in the stream (its enqueue was lost): enqueued again", EventName = "LostJobEnqueued")]
    public static partial void LostJob(ILogger logger, string titleId);

    [LoggerMessage(9, LogLevel.Warning, "Checking the catalog against the job stream failed, will retry: {Reason}", EventName = "ReconcileFailed")]
    public static partial void ReconcileFailed(ILogger logger, string reason);

    // Origins/OriginAnnouncer.cs
    [LoggerMessage(10, LogLevel.Information, "Announcing origin {OriginId} at {Url}", EventName = "OriginAnnouncing")]
    public static partial void Announcing(ILogger logger, string originId, string url);

    [LoggerMessage(11, LogLevel.Information, "Origin {OriginId} left the registry", EventName = "OriginDeregistered")]
    public static partial void Deregistered(ILogger logger, string originId);

    [LoggerMessage(12, LogLevel.Warning, "Origin registry unavailable, keeping the last known origins: {Reason}", EventName = "OriginRegistryUnavailable")]
    public static partial void OriginRegistryUnavailable(ILogger logger, string reason);

    [LoggerMessage(13, LogLevel.Information, "Origin registry available again", EventName = "OriginRegistryBack")]
    public static partial void RegistryBack(ILogger logger);

    [LoggerMessage(14, LogLevel.Information, "Origin {Url} is live", EventName = "PeerOriginUp")]
    public static partial void PeerUp(ILogger logger, string url);

    [LoggerMessage(15, LogLevel.Information, "Origin {Url} is no longer live (no heartbeat, or it left the registry)", EventName = "PeerOriginDown")]
    public static partial void PeerDown(ILogger logger, string url);

    // Purge/EdgeCachePurge.cs
    [LoggerMessage(16, LogLevel.Information, "Purged title {TitleId} (generation {Generation}, entry {StreamId}): every live edge acknowledged", EventName = "Purged")]
    public static partial void Purged(ILogger logger, string titleId, long generation, string streamId);

    [LoggerMessage(17, LogLevel.Warning, "Could not record the purge of title {TitleId} (nothing was purged or deleted): {Reason}", EventName = "PurgeFailed")]
    public static partial void PurgeFailed(ILogger logger, string titleId, string reason);

    [LoggerMessage(40, LogLevel.Warning, "Purge of title {TitleId} (entry {StreamId}) is recorded but not acknowledged by edges [{EdgeIds}] yet: they drop it when they read the outbox", EventName = "PurgePending")]
    public static partial void PurgePending(ILogger logger, string titleId, string streamId, string edgeIds);

    [LoggerMessage(41, LogLevel.Warning, "Purge of title {TitleId} is recorded, but {Step} failed: {Reason}", EventName = "PurgeStepFailed")]
    public static partial void PurgeStepFailed(ILogger logger, string titleId, string step, string reason);

    // Uploads/UploadEndpoint.cs
    [LoggerMessage(18, LogLevel.Information, "Stored upload for title {TitleId} ({Bytes} bytes)", EventName = "Uploaded")]
    public static partial void Uploaded(ILogger logger, string titleId, long bytes);

    [LoggerMessage(19, LogLevel.Information, "Refused an upload of {Bytes} bytes: {Reason}", EventName = "Refused")]
    public static partial void Refused(ILogger logger, long bytes, string reason);

    [LoggerMessage(80, LogLevel.Information, "Refused a malformed upload: {Reason}", EventName = "UploadMalformed")]
    public static partial void UploadMalformed(ILogger logger, string reason, Exception? cause);

    // Uploads/TusEndpoint.cs, Uploads/ResumableUploadSweep.cs
    [LoggerMessage(82, LogLevel.Information, "Resumable upload {UploadId} created ({Length} bytes)", EventName = "ResumableCreated")]
    public static partial void ResumableCreated(ILogger logger, string uploadId, long length);

    [LoggerMessage(83, LogLevel.Information, "Resumable upload {UploadId}: the body ended early at offset {Offset} of {Length}; the bytes received are kept", EventName = "ResumableInterrupted")]
    public static partial void ResumableInterrupted(ILogger logger, string uploadId, long offset, long length);

    [LoggerMessage(84, LogLevel.Information, "Resumable upload {UploadId} complete: stored as title {TitleId} ({Bytes} bytes)", EventName = "ResumableCompleted")]
    public static partial void ResumableCompleted(ILogger logger, string uploadId, string titleId, long bytes);

    [LoggerMessage(85, LogLevel.Information, "Resumable upload {UploadId} refused at completion ({Bytes} bytes): {Reason}", EventName = "ResumableRefused")]
    public static partial void ResumableRefused(ILogger logger, string uploadId, long bytes, string reason);

    [LoggerMessage(86, LogLevel.Information, "Resumable upload {UploadId} expired at offset {Offset} of {Length}: removed", EventName = "ResumableExpired")]
    public static partial void UploadExpired(ILogger logger, string uploadId, long offset, long length);

    [LoggerMessage(87, LogLevel.Warning, "Sweeping expired resumable uploads failed, will retry: {Reason}", EventName = "ResumableSweepFailed")]
    public static partial void UploadSweepFailed(ILogger logger, string reason);

    // Edges/EdgeMonitor.cs, Origins/OriginAnnouncer.cs: registry entries the origin does not trust
    [LoggerMessage(60, LogLevel.Warning, "Ignoring {Registry} registry entry '{Field}': {Reason}", EventName = "RegistryEntryRefused")]
    public static partial void EntryRefused(ILogger logger, string registry, string field, string reason);

    [LoggerMessage(61, LogLevel.Warning, "Fleet:Key is not set: edge and origin announcements are not signed, so anyone who can write to Redis can add an edge players are sent to", EventName = "FleetUnsigned")]
    public static partial void FleetUnsigned(ILogger logger);

    // Media/MediaStoreUnavailable.cs
    [LoggerMessage(81, LogLevel.Warning, "{Method} {Path}: the media store is unavailable ({Reason})", EventName = "MediaStoreUnavailable")]
    public static partial void MediaStoreUnavailable(ILogger logger, string method, PathString path, string reason);

    // Webhooks/
    [LoggerMessage(90, LogLevel.Information, "Webhook event {EventId} ({Type}, title {TitleId}) enqueued for {Endpoints} endpoints", EventName = "WebhookEnqueued")]
    public static partial void WebhookEnqueued(ILogger logger, string eventId, string type, string titleId, int endpoints);

    [LoggerMessage(91, LogLevel.Warning, "Could not enqueue webhook event {EventId} ({Type}, title {TitleId}) yet, will retry: {Reason}", EventName = "WebhookEnqueueFailed")]
    public static partial void WebhookEnqueueFailed(ILogger logger, string eventId, string type, string titleId, string reason);

    [LoggerMessage(92, LogLevel.Information, "Webhook event {EventId} ({Type}) delivered to {EndpointId} at attempt {Attempts}", EventName = "WebhookDelivered")]
    public static partial void WebhookDelivered(ILogger logger, string eventId, string type, string endpointId, int attempts);

    [LoggerMessage(93, LogLevel.Warning, "Webhook event {EventId} to {EndpointId}: attempt {Attempts} failed ({Result}); {Next}", EventName = "WebhookAttemptFailed")]
    public static partial void WebhookAttemptFailed(ILogger logger, string eventId, string endpointId, int attempts, string result, string next);

    [LoggerMessage(94, LogLevel.Warning, "Webhook event {EventId} to {EndpointId}: the claim ran out during the attempt and another origin took the delivery over", EventName = "WebhookClaimLost")]
    public static partial void WebhookClaimLost(ILogger logger, string eventId, string endpointId);

    [LoggerMessage(95, LogLevel.Warning, "Webhook outbox unavailable, will retry: {Reason}", EventName = "WebhookOutboxUnavailable")]
    public static partial void WebhookOutboxUnavailable(ILogger logger, string reason);

    [LoggerMessage(96, LogLevel.Warning, "Webhooks: reading the catalog for transitions failed, will retry: {Reason}", EventName = "WebhookScanFailed")]
    public static partial void WebhookScanFailed(ILogger logger, string reason);

    // Thumbnails/ThumbnailRenderer.cs
    [LoggerMessage(20, LogLevel.Warning, "Thumbnail of {Input} failed: {Reason}", EventName = "ThumbnailFailed")]
    public static partial void ThumbnailFailed(ILogger logger, string input, string reason);

    // Subtitles/SubtitleEditor.cs
    [LoggerMessage(97, LogLevel.Information, "Title {TitleId}: subtitles changed, now {Tracks} tracks in version {Version}", EventName = "SubtitlesChanged")]
    public static partial void SubtitlesChanged(ILogger logger, string titleId, string version, int tracks);

    [LoggerMessage(98, LogLevel.Information, "Title {TitleId}: another edit landed during subtitle edit attempt {Attempt}; redoing it on top", EventName = "SubtitleEditRaced")]
    public static partial void SubtitleEditRaced(ILogger logger, string titleId, int attempt);
}
