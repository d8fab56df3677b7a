using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Vod.Origin.Uploads;

/// <summary>
/// The request body is not a well-formed multipart upload. The message is written for the client (what was wrong, in
/// its terms) and never carries the reader's own text; the cause, for the log, is the inner exception.
/// </summary>
internal sealed class MalformedUploadException(string reason, Exception? inner = null) : Exception(reason, inner);

/// <summary>An upload as read from the request: the file in a temp file under <c>uploads/</c>, and the form's fields.</summary>
/// <param name="TempFile">Null when the request had no <c>file</c> field.</param>
/// <param name="Size">The file's size, or -1 when it passed the limit (reading stopped there).</param>
internal sealed record MultipartUpload(string? TempFile, long Size, string? Name, string? FileName)
{
    /// <summary>RFC 2046's limit, and ASP.NET Core's form reader's (<c>FormOptions.MultipartBoundaryLengthLimit</c>).</summary>
    public const int MaxBoundaryLength = 70;

    public const string TruncatedBody = "the multipart body ended before its closing boundary (a truncated upload, or a boundary that does not match the Content-Type's)";
    public const string MalformedPartHeaders = "a multipart part has malformed headers or more than 16 KiB of them";

    private const int MaxNameLength = 200;

    /// <summary>What is wrong with the Content-Type's boundary, in the client's terms, or null when it can be read.</summary>
    public static string? BoundaryProblem(string? boundary) => boundary switch
    {
        null or "" => "the Content-Type multipart/form-data has no boundary parameter",
        { Length: > MaxBoundaryLength } => $"the multipart boundary is longer than {MaxBoundaryLength} characters",
        { } b when b.Any(char.IsControl) => "the multipart boundary contains control characters",
        _ => null,
    };

    /// <summary>
    /// Streams the multipart body: the <c>file</c> field to a new temp file in <paramref name="uploads"/> (never buffered
    /// whole; stops as soon as <paramref name="maxBytes"/> is passed), the <c>name</c> field (at most a few hundred
    /// characters). The caller owns the temp file once this returns; if it throws, the temp file is already gone.
    /// </summary>
    /// <exception cref="MalformedUploadException">A bad boundary, malformed part headers, or a body that ends early.</exception>
    /// <exception cref="BadHttpRequestException">The server's request body limit was passed (413).</exception>
    /// <exception cref="IOException">Writing the temp file failed (a full disk).</exception>
    public static async Task<MultipartUpload> ReadAsync(Stream body, string boundary, string uploads, long maxBytes, CancellationToken cancellationToken)
    {
        if (BoundaryProblem(boundary) is { } problem)
        {
            // Checked before the reader exists: its constructor throws for a boundary longer than its buffer.
            throw new MalformedUploadException(problem);
        }

        var reader = new MultipartReader(boundary, body);
        string? name = null;
        string? fileName = null;
        string? temp = null;
        long size = 0;
        try
        {
            while (await FromBody(new ValueTask<MultipartSection?>(reader.ReadNextSectionAsync(cancellationToken))) is { } section)
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
                    var read = await FromBody(sr.ReadBlockAsync(buffer, cancellationToken));
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

    /// <summary>
    /// Awaits a read of the request body, turning the reader's failures into <see cref="MalformedUploadException"/>:
    /// <see cref="InvalidDataException"/> for part headers, <see cref="IOException"/> for a body that ended early
    /// (the reader's "Unexpected end of Stream", or Kestrel's for a body shorter than its Content-Length). Kestrel's
    /// 413 passes through as it is. Only reads go through here, so a failed write of the temp file stays an I/O error.
    /// </summary>
    private static async ValueTask<T> FromBody<T>(ValueTask<T> read)
    {
        try
        {
            return await read;
        }
        catch (InvalidDataException e)
        {
            throw new MalformedUploadException(MalformedPartHeaders, e);
        }
        catch (IOException e) when (e is not BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            throw new MalformedUploadException(TruncatedBody, e);
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
            while ((read = await FromBody(body.ReadAsync(buffer, cancellationToken))) > 0)
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
