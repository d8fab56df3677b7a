using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Common.Hosting;
using Vod.Common.Media.Probing;
using Vod.Origin.Admin;
using Vod.Origin.Catalog;
using Vod.Origin.Jobs;

namespace Vod.Origin.Uploads;

internal sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>The largest source file accepted, in bytes (default 20 GiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = 20L << 30;
}

/// <summary>
/// <c>POST /api/titles</c>: streams the multipart <c>file</c> field to a temp file under <c>uploads/</c> (never
/// buffered whole in memory; over the limit is 413 as soon as it is passed), probes it with the shared
/// <see cref="SourceProbe"/> (ffprobe with the <c>file</c>-only protocol whitelist; not a video, a playlist, over the
/// duration or resolution limits → 422 with the reason), moves it into place, writes the title as <c>queued</c>,
/// then enqueues its job. A refused, failed or cancelled upload leaves nothing behind: the temp file is deleted and no
/// title is written.
/// </summary>
internal static partial class UploadEndpoint
{
    private const int MaxNameLength = 200;
    // Multipart framing (boundaries, part headers, the name field) on top of the file itself.
    private const long MultipartOverhead = 1 << 20;

    public static IServiceCollection AddUploads(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<UploadOptions>(configuration, UploadOptions.Section);
        services.AddValidatedOptions<ProbeOptions>(configuration, ProbeOptions.Section);
        return services;
    }

    public static IEndpointRouteBuilder MapUploads(this IEndpointRouteBuilder app)
    {
        RemoveAbandonedUploads(app.ServiceProvider.GetRequiredService<MediaStore>());
        app.MapPost("/api/titles", UploadAsync).RequireAdminKey().DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> UploadAsync(
        HttpContext context,
        MediaStore store,
        JobQueue jobs,
        TimeProvider time,
        IOptions<UploadOptions> options,
        IOptions<ProbeOptions> probeOptions,
        ILoggerFactory loggers)
    {
        var request = context.Request;
        var maxBytes = options.Value.MaxBytes;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Length == 0)
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "send the title as multipart/form-data with a 'file' field");
        }

        // The only endpoint with a large body: every other one keeps the service-wide small limit.
        var bodyLimit = context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature ? feature : null;
        if (request.ContentLength > maxBytes + MultipartOverhead)
        {
            // Refused unread. Lifting the limit lets Kestrel drain the body after the answer (it gives up after 5 s)
            // so the client reads the 413 instead of a reset connection halfway through its upload.
            bodyLimit?.MaxRequestBodySize = null;
            return TooLarge(maxBytes);
        }

        bodyLimit?.MaxRequestBodySize = maxBytes + MultipartOverhead;

        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value!;
        var reader = new MultipartReader(boundary, request.Body);
        string? name = null;
        string? fileName = null;
        string? temp = null;
        long size = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(context.RequestAborted) is { } section)
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
                    Directory.CreateDirectory(store.Uploads);
                    temp = Path.Combine(store.Uploads, $".tmp-{Guid.NewGuid():N}");
                    size = await CopyLimitedAsync(section.Body, temp, maxBytes, context.RequestAborted);
                    if (size < 0)
                    {
                        return TooLarge(maxBytes);
                    }
                }
                else if (field == "name" && !disposition.IsFileDisposition())
                {
                    using var sr = new StreamReader(section.Body, Encoding.UTF8);
                    var buffer = new char[MaxNameLength * 2];
                    var read = await sr.ReadBlockAsync(buffer, context.RequestAborted);
                    name = new string(buffer, 0, read);
                }
            }

            if (temp is null)
            {
                return Problem(StatusCodes.Status400BadRequest, "the multipart field 'file' is missing");
            }

            if (size == 0)
            {
                return Problem(StatusCodes.Status400BadRequest, "the uploaded file is empty");
            }

            try
            {
                await SourceProbe.ProbeAsync(temp, probeOptions.Value, context.RequestAborted);
            }
            catch (SourceRejectedException e)
            {
                Log.Refused(loggers.CreateLogger(typeof(UploadEndpoint)), size, e.Message);
                return Problem(StatusCodes.Status422UnprocessableEntity, e.Message);
            }

            var id = TitleId.New();
            var source = id + SourceExtension(fileName);
            File.Move(temp, Path.Combine(store.Uploads, source));
            temp = null;

            var now = time.GetUtcNow();
            var title = new Title
            {
                Id = id,
                Name = TitleNames.Sanitize(name, MaxNameLength) ?? TitleNames.Sanitize(Path.GetFileNameWithoutExtension(fileName), MaxNameLength) ?? id,
                Status = TitleStatus.Queued,
                CreatedAt = now,
                UpdatedAt = now,
                Source = source,
            };
            await store.WriteTitleAsync(title, CancellationToken.None);
            jobs.Enqueue(id);
            Log.Uploaded(loggers.CreateLogger(typeof(UploadEndpoint)), id, size);
            return Results.Accepted($"/api/titles/{id}", TitleResource.From(title));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(maxBytes);
        }
        catch (InvalidDataException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "malformed multipart body: " + e.Message);
        }
        catch (IOException e) when (MediaStore.IsDiskFull(e))
        {
            return Problem(StatusCodes.Status507InsufficientStorage, "the media store is out of disk space; nothing was stored");
        }
        finally
        {
            if (temp is not null)
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Removes uploads that were in flight when the origin last stopped (killed mid-upload): the origin is the only
    /// writer of <c>uploads/.tmp-*</c>, so at start-up every one of them is dead.
    /// </summary>
    public static int RemoveAbandonedUploads(MediaStore store)
    {
        if (!Directory.Exists(store.Uploads))
        {
            return 0;
        }

        var removed = 0;
        foreach (var temp in Directory.EnumerateFiles(store.Uploads, ".tmp-*"))
        {
            File.Delete(temp);
            removed++;
        }

        return removed;
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

    /// <summary>Keeps a short alphanumeric extension as a hint for the demuxer; anything else becomes <c>.bin</c>.</summary>
    internal static string SourceExtension(string? fileName)
    {
        var ext = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        return ext.Length is >= 2 and <= 9 && ext[1..].All(char.IsAsciiLetterOrDigit) ? ext : ".bin";
    }

    private static IResult TooLarge(long maxBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, $"the upload is larger than the limit of {maxBytes} bytes");

    private static IResult Problem(int status, string detail) => Results.Problem(detail, statusCode: status);
}
