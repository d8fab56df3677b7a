using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Media.Probing;
using Vod.Origin.Admin;
using Vod.Storage;
using static Vod.Origin.Uploads.TusProtocol;

namespace Vod.Origin.Uploads;

/// <summary>
/// <c>/api/uploads</c>: resumable uploads, tus 1.0.0 core with the creation, termination and expiration extensions.
/// <list type="number">
/// <item><c>POST /api/uploads</c> with <c>Upload-Length</c> (at most <see cref="UploadOptions.MaxBytes"/>) and
/// <c>Upload-Metadata</c> (<c>filename</c>, <c>name</c>): 201 and <c>Location: /api/uploads/{id}</c>.</item>
/// <item><c>HEAD</c> it: the committed <c>Upload-Offset</c> (where to resume), <c>Upload-Length</c>, <c>Upload-Expires</c>.</item>
/// <item><c>PATCH</c> it with <c>Content-Type: application/offset+octet-stream</c> and <c>Upload-Offset</c>: the bytes
/// are written to the media store (<see cref="IPartialUploadStore"/>) and the offset moves by compare-and-set in Redis
/// (<see cref="ResumableUploads"/>), so any origin can take the next PATCH. A body cut short keeps what arrived.</item>
/// <item>The PATCH that reaches <c>Upload-Length</c> hands the file to <see cref="TitleIntake"/> (the probe and the job
/// of <c>POST /api/titles</c>): 204 with <c>Vod-Title: {title id}</c> (follow it at <c>/api/titles/{id}</c>), or 422 when
/// it is not a usable video. A later HEAD still names the title until the upload expires.</item>
/// <item><c>DELETE</c> it: its state and bytes are removed. An upload idle past <see cref="UploadOptions.Expiry"/> is
/// 410 until <see cref="ResumableUploadSweep"/> removes it, then 404.</item>
/// </list>
/// Every method needs the admin key; every answer carries <c>Tus-Resumable</c>; a request without
/// <c>Tus-Resumable: 1.0.0</c> (other than OPTIONS) is 412.
/// </summary>
internal static class TusEndpoint
{
    public const string Path = "/api/uploads";

    public static IEndpointRouteBuilder MapResumableUploads(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path);
        group.AddEndpointFilter(SpeaksTusAsync).RequireAdminKey().DisableAntiforgery();
        group.MapMethods("", [HttpMethods.Options], Discover);
        group.MapMethods("/{id}", [HttpMethods.Options], Discover);
        group.MapPost("", CreateAsync);
        group.MapMethods("/{id}", [HttpMethods.Head], HeadAsync);
        group.MapPatch("/{id}", PatchAsync);
        group.MapDelete("/{id}", DeleteAsync);
        return app;
    }

    /// <summary>Outermost: <c>Tus-Resumable</c> on every answer (refusals of the admin key too), and the version check.</summary>
    private static async ValueTask<object?> SpeaksTusAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers[Resumable] = TusVersion;
        http.Response.Headers.CacheControl = "no-store";
        if (!HttpMethods.IsOptions(http.Request.Method) && ResumableProblem(http.Request.Headers[Resumable]) is { } problem)
        {
            http.Response.Headers[VersionHeader] = TusVersion;
            return Problem(StatusCodes.Status412PreconditionFailed, problem);
        }

        return await next(context);
    }

    private static IResult Discover(HttpContext context, IOptions<UploadOptions> options)
    {
        var headers = context.Response.Headers;
        headers[VersionHeader] = TusVersion;
        headers[ExtensionHeader] = Extensions;
        headers[MaxSizeHeader] = options.Value.MaxBytes.ToString(CultureInfo.InvariantCulture);
        return Results.NoContent();
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ResumableUploads uploads, IOptions<UploadOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        var request = context.Request;
        if (request.Headers.ContainsKey(UploadDeferLength))
        {
            return Problem(StatusCodes.Status400BadRequest, $"{UploadDeferLength} is not supported: send {UploadLength}");
        }

        if (ParseSize(request.Headers[UploadLength]) is not { } length)
        {
            return Problem(StatusCodes.Status400BadRequest, $"{UploadLength} is missing or not a non-negative integer");
        }

        var maxBytes = options.Value.MaxBytes;
        if (length > maxBytes)
        {
            context.Response.Headers[MaxSizeHeader] = maxBytes.ToString(CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status413PayloadTooLarge, $"the upload is larger than the limit of {maxBytes} bytes");
        }

        if (length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "the uploaded file is empty");
        }

        var (metadata, error) = ParseMetadata(request.Headers[UploadMetadata]);
        if (metadata is null)
        {
            return Problem(StatusCodes.Status400BadRequest, error!);
        }

        var upload = new ResumableUpload(
            NewId(),
            length,
            0,
            request.Headers[UploadMetadata].ToString(),
            metadata.GetValueOrDefault("name"),
            metadata.GetValueOrDefault("filename"),
            time.GetUtcNow() + options.Value.Expiry,
            null,
            []);
        await uploads.CreateAsync(upload);
        Log.ResumableCreated(loggers.CreateLogger(typeof(TusEndpoint)), upload.Id, length);
        context.Response.Headers[UploadExpires] = FormatDate(upload.ExpiresAt);
        // Relative: right through whichever origin or proxy the client reached (tus clients resolve it against the endpoint).
        return Results.Created($"{Path}/{upload.Id}", null);
    }

    private static async Task<IResult> HeadAsync(string id, HttpContext context, ResumableUploads uploads, TimeProvider time)
    {
        if (await FindAsync(id, uploads, time) is not { } upload)
        {
            return UnknownOrExpired(await uploads.GetAsync(id));
        }

        var headers = context.Response.Headers;
        headers[UploadOffset] = upload.Offset.ToString(CultureInfo.InvariantCulture);
        headers[UploadLength] = upload.Length.ToString(CultureInfo.InvariantCulture);
        Describe(context, upload);
        if (upload.Metadata is { } metadata)
        {
            headers[UploadMetadata] = metadata;
        }

        return Results.Ok();
    }

    private static async Task<IResult> PatchAsync(
        string id,
        HttpContext context,
        ResumableUploads uploads,
        IPartialUploadStore store,
        IMediaStore media,
        TitleIntake intake,
        IOptions<UploadOptions> options,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var request = context.Request;
        var headers = context.Response.Headers;
        var logger = loggers.CreateLogger(typeof(TusEndpoint));

        // :: Step 1: the request is a tus PATCH of a live upload, at its offset, not past its length.
        if (!IsOffsetStream(request.ContentType))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, $"a PATCH carries Content-Type: {OffsetStream}");
        }

        if (ParseSize(request.Headers[UploadOffset]) is not { } offset)
        {
            return Problem(StatusCodes.Status400BadRequest, $"{UploadOffset} is missing or not a non-negative integer");
        }

        if (await FindAsync(id, uploads, time) is not { } upload)
        {
            return UnknownOrExpired(TusProtocol.IsUploadId(id) ? await uploads.GetAsync(id) : null);
        }

        if (upload.TitleId is not null && offset == upload.Length && request.ContentLength is null or 0)
        {
            // The final PATCH again (its answer was lost): the same answer.
            headers[UploadOffset] = upload.Offset.ToString(CultureInfo.InvariantCulture);
            Describe(context, upload);
            return Results.NoContent();
        }

        if (OffsetProblem(offset, request.ContentLength, upload.Offset, upload.Length) is { } mismatch)
        {
            headers[UploadOffset] = upload.Offset.ToString(CultureInfo.InvariantCulture);
            return Problem(mismatch.Status, mismatch.Message);
        }

        // :: Step 2: the bytes into the store, the offset moved in Redis while the store still holds the upload.
        var remaining = upload.Length - offset;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = remaining; // the one large body this service takes, never more than the upload has left
        }

        var expires = time.GetUtcNow() + options.Value.Expiry;
        var outcome = ResumableUploads.CommitResult.Gone;
        PartialWrite write;
        try
        {
            write = await store.AppendAsync(id, offset, request.Body, remaining,
                async chunk => (outcome = await uploads.CommitAsync(id, offset, chunk, expires)) == ResumableUploads.CommitResult.Committed,
                context.RequestAborted);
        }
        catch (PartialUploadException e)
        {
            switch (e.Problem)
            {
                case PartialUploadProblem.Busy:
                    return Problem(StatusCodes.Status423Locked, e.Message);
                case PartialUploadProblem.TooLarge:
                    return Problem(StatusCodes.Status413PayloadTooLarge, e.Message);
                default:
                    await ForgetAsync(id, uploads, store);
                    return Problem(StatusCodes.Status410Gone, e.Message + "; the upload was removed: create a new one");
            }
        }
        catch (IOException e) when (MediaScratch.IsDiskFull(e))
        {
            return Problem(StatusCodes.Status507InsufficientStorage, "the media store is out of disk space; the upload keeps its offset");
        }

        if (!write.Accepted)
        {
            switch (outcome)
            {
                case ResumableUploads.CommitResult.OffsetMoved:
                    var now = await uploads.GetAsync(id);
                    headers[UploadOffset] = (now?.Offset ?? 0).ToString(CultureInfo.InvariantCulture);
                    return Problem(StatusCodes.Status409Conflict, $"another request moved the upload to offset {now?.Offset} meanwhile: HEAD, then send from there");
                case ResumableUploads.CommitResult.Expired:
                    return Problem(StatusCodes.Status410Gone, "the upload expired");
                default:
                    await store.DeletePartialAsync(id);
                    return Problem(StatusCodes.Status404NotFound, "the upload was deleted meanwhile");
            }
        }

        var reached = offset + write.Bytes;
        headers[UploadOffset] = reached.ToString(CultureInfo.InvariantCulture);
        headers[UploadExpires] = FormatDate(expires);
        if (write.Interrupted)
        {
            Log.ResumableInterrupted(logger, id, reached, upload.Length);
        }

        if (reached < upload.Length)
        {
            return Results.NoContent();
        }

        // :: Step 3: complete. The same intake as POST /api/titles; from here the bytes are this request's to finish.
        return await CompleteAsync(context, upload, uploads, store, media, intake, logger);
    }

    private static async Task<IResult> CompleteAsync(
        HttpContext context, ResumableUpload upload, ResumableUploads uploads, IPartialUploadStore store, IMediaStore media, TitleIntake intake, ILogger logger)
    {
        Directory.CreateDirectory(media.Scratch.Uploads);
        // A temp name AbandonedUploads knows: if this origin dies during the intake, its restart removes the file.
        string? temp = System.IO.Path.Combine(media.Scratch.Uploads, AbandonedUploads.NewTempName());
        try
        {
            var committed = await uploads.GetAsync(upload.Id) ?? upload;
            await store.AssembleAsync(upload.Id, committed.Chunks, upload.Length, temp, CancellationToken.None);
            Title title;
            try
            {
                // Not the request's token: the bytes are all here, the client leaving now must not lose them.
                title = await intake.AcceptAsync(temp, upload.Name, upload.FileName, CancellationToken.None);
            }
            catch (SourceRejectedException e)
            {
                Log.ResumableRefused(logger, upload.Id, upload.Length, e.Message);
                await ForgetAsync(upload.Id, uploads, store);
                return Problem(StatusCodes.Status422UnprocessableEntity, e.Message);
            }

            temp = null; // moved into the store
            await uploads.CompleteAsync(upload.Id, title.Id);
            await store.DeletePartialAsync(upload.Id);
            Log.ResumableCompleted(logger, upload.Id, title.Id, upload.Length);
            context.Response.Headers[TitleHeader] = title.Id;
            return Results.NoContent();
        }
        catch (PartialUploadException e)
        {
            await ForgetAsync(upload.Id, uploads, store);
            return Problem(StatusCodes.Status410Gone, e.Message + "; the upload was removed: create a new one");
        }
        catch (IOException e) when (MediaScratch.IsDiskFull(e))
        {
            await ForgetAsync(upload.Id, uploads, store);
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

    private static async Task<IResult> DeleteAsync(string id, ResumableUploads uploads, IPartialUploadStore store)
    {
        if (!TusProtocol.IsUploadId(id) || await uploads.GetAsync(id) is null)
        {
            return UnknownOrExpired(null);
        }

        await ForgetAsync(id, uploads, store);
        return Results.NoContent();
    }

    /// <summary>The live upload, or null when it is unknown or expired (the caller tells which).</summary>
    private static async Task<ResumableUpload?> FindAsync(string id, ResumableUploads uploads, TimeProvider time) =>
        TusProtocol.IsUploadId(id) && await uploads.GetAsync(id) is { } upload && !upload.IsExpired(time.GetUtcNow()) ? upload : null;

    private static IResult UnknownOrExpired(ResumableUpload? expired) => expired is null
        ? Problem(StatusCodes.Status404NotFound, "no such upload: it was never created, was deleted, or expired and was removed")
        : Problem(StatusCodes.Status410Gone, $"the upload expired at {FormatDate(expired.ExpiresAt)}: create a new one");

    private static void Describe(HttpContext context, ResumableUpload upload)
    {
        var headers = context.Response.Headers;
        headers[UploadExpires] = FormatDate(upload.ExpiresAt);
        if (upload.TitleId is { } title)
        {
            headers[TitleHeader] = title;
        }
    }

    private static async Task ForgetAsync(string id, ResumableUploads uploads, IPartialUploadStore store)
    {
        await uploads.DeleteAsync(id);
        await store.DeletePartialAsync(id);
    }

    private static IResult Problem(int status, string detail) => Results.Problem(detail, statusCode: status);
}
