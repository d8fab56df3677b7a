using System.Globalization;
using Vod.Common.Hls;

namespace Vod.Storage;

/// <summary>
/// Resumable uploads in the bucket: each request's bytes become one object, <c>partial/{id}/{offset}-{random}</c>,
/// spooled to this process's scratch first (a PUT needs its length) and written whole before the commit names it. Two
/// requests at the same offset write different objects and only one commit wins; the loser's object is removed. At
/// completion the committed objects, in order, are downloaded into one scratch file for the normal intake. An object
/// no commit named (its origin died in between) is removed with the upload.
/// </summary>
public sealed partial class S3MediaStore
{
    public const string PartialPrefix = "partial/";

    public static string PartialUploadPrefix(string uploadId) =>
        MediaPath.IsSafeSegment(uploadId) ? PartialPrefix + uploadId + "/" : throw new ArgumentException("not an upload id", nameof(uploadId));

    public async Task<PartialWrite> AppendAsync(string uploadId, long offset, Stream body, long maxBytes, Func<PartialChunk, Task<bool>> commit, CancellationToken cancellationToken = default)
    {
        var key = PartialUploadPrefix(uploadId) + offset.ToString("D20", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N");
        var spoolDirectory = Path.Combine(Scratch.Uploads, "partial");
        Directory.CreateDirectory(spoolDirectory);
        var spool = Path.Combine(spoolDirectory, $"{uploadId}-{Guid.NewGuid():N}");
        try
        {
            long bytes;
            bool interrupted;
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true))
            {
                (bytes, interrupted) = await PartialBody.CopyAsync(body, file, maxBytes, cancellationToken);
            }

            if (bytes == 0)
            {
                return new PartialWrite(0, await commit(new PartialChunk(offset, 0, null)), interrupted);
            }

            // The client may be gone: the bytes that arrived are stored all the same.
            await UploadFileAsync(spool, key, "application/octet-stream", CancellationToken.None);
            if (await commit(new PartialChunk(offset, bytes, key)))
            {
                return new PartialWrite(bytes, true, interrupted);
            }

            await Client.DeleteObjectAsync(Bucket, key, CancellationToken.None);
            return new PartialWrite(bytes, false, interrupted);
        }
        finally
        {
            File.Delete(spool);
        }
    }

    public async Task AssembleAsync(string uploadId, IReadOnlyList<PartialChunk> chunks, long length, string targetFile, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var target = new FileStream(targetFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            long expected = 0;
            foreach (var chunk in chunks.Where(c => c.Length > 0).OrderBy(c => c.Offset))
            {
                if (chunk.Offset != expected || chunk.Key is null)
                {
                    throw new PartialUploadException(PartialUploadProblem.Lost, $"the upload's chunks have a gap at byte {expected}");
                }

                using var response = await Client.GetObjectAsync(Bucket, chunk.Key, cancellationToken);
                await response.ResponseStream.CopyToAsync(target, 1 << 16, cancellationToken);
                expected += chunk.Length;
            }

            if (expected != length || target.Length != length)
            {
                throw new PartialUploadException(PartialUploadProblem.Lost, $"the upload's chunks hold {target.Length} bytes, not {length}");
            }
        }
        catch
        {
            File.Delete(targetFile);
            throw;
        }
    }

    public async Task DeletePartialAsync(string uploadId, CancellationToken cancellationToken = default) =>
        await DeleteAsync((await ListAsync(PartialUploadPrefix(uploadId), cancellationToken)).Select(o => o.Key), cancellationToken);
}
