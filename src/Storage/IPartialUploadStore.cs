namespace Vod.Storage;

/// <summary>
/// The bytes of resumable (tus) uploads in flight, kept where every origin sees them, so that a transfer cut by a dropped
/// connection or a dead origin goes on at its offset through any origin: with the local store under
/// <c>uploads/partial/{id}</c> on the shared media root, with S3 as one object per received chunk under
/// <c>partial/{id}/</c> in the bucket. The offset itself (how many of these bytes count) is kept by the caller (in Redis):
/// a chunk counts once <c>commit</c> accepted it, so bytes written by a request that died before its commit are never
/// read, and are overwritten or ignored.
/// </summary>
public interface IPartialUploadStore
{
    /// <summary>
    /// Receives the body as the bytes of <paramref name="uploadId"/> from <paramref name="offset"/> on, at most
    /// <paramref name="maxBytes"/> of them; makes them durable, then calls <paramref name="commit"/> (which moves the
    /// offset, compare-and-set) while this upload's writes are still held, so two requests never interleave. A body
    /// cut short (the client gone) still commits what arrived. When <paramref name="commit"/> refuses (the offset moved
    /// or the upload is gone), the bytes are dropped.
    /// </summary>
    /// <exception cref="PartialUploadException">Busy (another request writes this upload), too large, or earlier bytes lost.</exception>
    Task<PartialWrite> AppendAsync(string uploadId, long offset, Stream body, long maxBytes, Func<PartialChunk, Task<bool>> commit, CancellationToken cancellationToken = default);

    /// <summary>
    /// The whole upload as one local file at <paramref name="targetFile"/> (in <see cref="MediaScratch.Uploads"/>), from
    /// its committed <paramref name="chunks"/> in order: with the local store a rename, with S3 a download.
    /// </summary>
    Task AssembleAsync(string uploadId, IReadOnlyList<PartialChunk> chunks, long length, string targetFile, CancellationToken cancellationToken = default);

    /// <summary>Removes every byte kept for the upload (committed or not). Nothing to remove is not an error.</summary>
    Task DeletePartialAsync(string uploadId, CancellationToken cancellationToken = default);
}

/// <summary>A committed piece of an upload: its place, its size, and with S3 the object holding it.</summary>
public sealed record PartialChunk(long Offset, long Length, string? Key);

/// <summary>What one append did.</summary>
/// <param name="Bytes">The bytes received and made durable.</param>
/// <param name="Accepted">Whether the commit took them (false: they were dropped).</param>
/// <param name="Interrupted">Whether the body ended early (the client went away mid-request).</param>
public sealed record PartialWrite(long Bytes, bool Accepted, bool Interrupted);

public enum PartialUploadProblem
{
    /// <summary>Another request is writing this upload right now.</summary>
    Busy,

    /// <summary>The body carries more than the upload has left.</summary>
    TooLarge,

    /// <summary>The bytes before the offset are no longer there (removed under the upload's feet).</summary>
    Lost,
}

public sealed class PartialUploadException(PartialUploadProblem problem, string message) : Exception(message)
{
    public PartialUploadProblem Problem { get; } = problem;
}
