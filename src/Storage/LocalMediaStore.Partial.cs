using Vod.Common.Hls;

namespace Vod.Storage;

/// <summary>
/// Resumable uploads on the shared media root: one file per upload, <c>uploads/partial/{id}</c>, written in place at
/// the offset. The file is opened exclusively (<see cref="FileShare.None"/>, an advisory lock that the kernel drops with
/// the process, so a SIGKILLed origin never leaves it held) for the whole write and commit: a second request on the same
/// upload, through this origin or another on the same root, is refused as busy instead of interleaving. Bytes past the
/// committed offset (written by a request whose origin died before committing) are cut off before the next write.
/// </summary>
public sealed partial class LocalMediaStore
{
    /// <summary>Where resumable uploads in flight live (on the media root every origin shares).</summary>
    public string PartialUploads => Path.Combine(Uploads, "partial");

    public string PartialFile(string uploadId) =>
        MediaPath.IsSafeSegment(uploadId) ? Path.Combine(PartialUploads, uploadId) : throw new ArgumentException("not an upload id", nameof(uploadId));

    public async Task<PartialWrite> AppendAsync(string uploadId, long offset, Stream body, long maxBytes, Func<PartialChunk, Task<bool>> commit, CancellationToken cancellationToken = default)
    {
        var path = PartialFile(uploadId);
        Directory.CreateDirectory(PartialUploads);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, useAsync: true);
        }
        catch (IOException e) when (!MediaScratch.IsDiskFull(e) && File.Exists(path))
        {
            throw new PartialUploadException(PartialUploadProblem.Busy, "another request is writing this upload; try again when it ends");
        }

        await using (file)
        {
            if (file.Length < offset)
            {
                throw new PartialUploadException(PartialUploadProblem.Lost, $"the upload's stored bytes end at {file.Length}, before its offset {offset}; they were lost");
            }

            // Whatever lies past the offset was never committed.
            file.SetLength(offset);
            file.Position = offset;
            long bytes;
            bool interrupted;
            try
            {
                (bytes, interrupted) = await PartialBody.CopyAsync(body, file, maxBytes, cancellationToken);
                await file.FlushAsync(CancellationToken.None);
                file.Flush(flushToDisk: true); // only bytes on disk may count: the commit below is what a resume trusts
            }
            catch
            {
                file.SetLength(offset);
                throw;
            }

            if (await commit(new PartialChunk(offset, bytes, null)))
            {
                return new PartialWrite(bytes, true, interrupted);
            }

            file.SetLength(offset);
            return new PartialWrite(bytes, false, interrupted);
        }
    }

    public Task AssembleAsync(string uploadId, IReadOnlyList<PartialChunk> chunks, long length, string targetFile, CancellationToken cancellationToken = default)
    {
        var path = PartialFile(uploadId);
        var size = new FileInfo(path).Length;
        if (size < length)
        {
            throw new PartialUploadException(PartialUploadProblem.Lost, $"the upload's stored bytes end at {size}, before its length {length}");
        }

        // The upload's file is on the same file system as uploads/: taking it whole is a rename, not a copy.
        File.Move(path, targetFile);
        if (size > length)
        {
            using var target = new FileStream(targetFile, FileMode.Open, FileAccess.Write, FileShare.None);
            target.SetLength(length);
        }

        return Task.CompletedTask;
    }

    public Task DeletePartialAsync(string uploadId, CancellationToken cancellationToken = default)
    {
        File.Delete(PartialFile(uploadId));
        return Task.CompletedTask;
    }
}
