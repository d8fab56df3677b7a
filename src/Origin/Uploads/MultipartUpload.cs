using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Vod.Origin.Uploads;

/// <summary>An upload as read from the request: the file in a temp file under <c>uploads/</c>, and the form's fields.</summary>
/// <param name="TempFile">Null when the request had no <c>file</c> field.</param>
/// <param name="Size">The file's size, or -1 when it passed the limit (reading stopped there).</param>
internal sealed record MultipartUpload(string? TempFile, long Size, string? Name, string? FileName)
{
    private const int MaxNameLength = 200;

    /// <summary>
    /// Streams the multipart body: the <c>file</c> field to a new temp file in <paramref name="uploads"/> (never buffered
    /// whole; stops as soon as <paramref name="maxBytes"/> is passed), the <c>name</c> field (at most a few hundred
    /// characters). The caller owns the temp file, whatever happens after.
    /// </summary>
    /// <exception cref="InvalidDataException">A malformed multipart body.</exception>
    public static async Task<MultipartUpload> ReadAsync(Stream body, string boundary, string uploads, long maxBytes, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(boundary, body);
        string? name = null;
        string? fileName = null;
        string? temp = null;
        long size = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (field == "file" && disposition.IsFileDisposition() && temp is null)
                {
                    fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    Directory.CreateDirectory(uploads);
                    temp = Path.Combine(uploads, AbandonedUploads.NewTempName());
                    size = await CopyLimitedAsync(section.Body, temp, maxBytes, cancellationToken);
                    if (size < 0)
                    {
                        return new MultipartUpload(temp, -1, name, fileName);
                    }
                }
                else if (field == "name" && !disposition.IsFileDisposition())
                {
                    using var sr = new StreamReader(section.Body, Encoding.UTF8);
                    var buffer = new char[MaxNameLength * 2];
                    var read = await sr.ReadBlockAsync(buffer, cancellationToken);
                    name = new string(buffer, 0, read);
                }
            }

            return new MultipartUpload(temp, size, name, fileName);
        }
        catch
        {
            if (temp is not null)
            {
                File.Delete(temp);
            }

            throw;
        }
    }

    /// <summary>Copies at most <paramref name="maxBytes"/>; returns the size, or -1 as soon as the limit is passed.</summary>
    private static async Task<long> CopyLimitedAsync(Stream body, string path, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true);
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    return -1;
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            await file.FlushAsync(cancellationToken);
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
