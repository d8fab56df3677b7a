using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Vod.Common.Catalog;
using Vod.Media.Probing;
using Vod.Origin.Admin;
using Vod.Origin.Catalog;
using Vod.ServiceDefaults;
using Vod.Storage;

namespace Vod.Origin.Uploads;

/// <summary>
/// <c>POST /api/titles</c>, the HTTP side of an upload: the multipart <c>file</c> field is streamed to a temp file
/// (<see cref="MultipartUpload"/>; over the limit is 413 as soon as it is passed), then <see cref="TitleIntake"/> probes
/// it and queues the title (not a video, a playlist, over the duration or resolution limits → 422 with the reason).
/// A body that is not well-formed multipart (no boundary or one over 70 characters, malformed part headers, a body
/// that ends before its closing boundary) is 400 with a fixed reason; the reader's own message goes to the log only.
/// A refused, failed or cancelled upload leaves nothing behind: the temp file is deleted and no title is written.
/// </summary>
internal static class UploadEndpoint
{
    // Multipart framing (boundaries, part headers, the name field) on top of the file itself.
    private const long MultipartOverhead = 1 << 20;

    public static IServiceCollection AddUploads(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<UploadOptions>(configuration, UploadOptions.Section);
        services.AddValidatedOptions<ProbeOptions>(configuration, ProbeOptions.Section);
        services.AddSingleton<TitleIntake>();
        services.AddHostedService<AbandonedUploads>();
        services.AddSingleton<ResumableUploads>();
        services.AddHostedService<ResumableUploadSweep>();
        return services;
    }

    public static IEndpointRouteBuilder MapUploads(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/titles", UploadAsync).RequireAdminKey().DisableAntiforgery();
        app.MapResumableUploads();
        return app;
    }

    private static async Task<IResult> UploadAsync(HttpContext context, IMediaStore store, TitleIntake intake, IOptions<UploadOptions> options, ILoggerFactory loggers)
    {
        var request = context.Request;
        var maxBytes = options.Value.MaxBytes;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
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

        bodyLimit?.MaxRequestBodySize = maxBytes + MultipartOverhead; // also lets Kestrel drain a refused body, so the client reads the 400
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (MultipartUpload.BoundaryProblem(boundary) is { } boundaryProblem)
        {
            Log.UploadMalformed(loggers.CreateLogger(typeof(UploadEndpoint)), boundaryProblem, null);
            return Problem(StatusCodes.Status400BadRequest, boundaryProblem);
        }

        string? temp = null;
        try
        {
            var upload = await MultipartUpload.ReadAsync(request.Body, boundary!, store.Scratch.Uploads, maxBytes, context.RequestAborted);
            temp = upload.TempFile;
            if (upload.Size < 0)
            {
                return TooLarge(maxBytes);
            }

            if (temp is null)
            {
                return Problem(StatusCodes.Status400BadRequest, "the multipart field 'file' is missing");
            }

            if (upload.Size == 0)
            {
                return Problem(StatusCodes.Status400BadRequest, "the uploaded file is empty");
            }

            Title title;
            try
            {
                title = await intake.AcceptAsync(temp, upload.Name, upload.FileName, context.RequestAborted);
            }
            catch (SourceRejectedException e)
            {
                Log.Refused(loggers.CreateLogger(typeof(UploadEndpoint)), upload.Size, e.Message);
                return Problem(StatusCodes.Status422UnprocessableEntity, e.Message);
            }

            temp = null; // moved into place
            Log.Uploaded(loggers.CreateLogger(typeof(UploadEndpoint)), title.Id, upload.Size);
            return Results.Accepted($"/api/titles/{title.Id}", TitleResource.From(title));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(maxBytes);
        }
        catch (MalformedUploadException e)
        {
            // The reader's own text (which may quote the request) goes to the log only; the client gets the fixed reason.
            Log.UploadMalformed(loggers.CreateLogger(typeof(UploadEndpoint)), e.Message, e.InnerException);
            return Problem(StatusCodes.Status400BadRequest, e.Message);
        }
        catch (IOException e) when (MediaScratch.IsDiskFull(e))
        {
            return Problem(StatusCodes.Status507InsufficientStorage, "the media store is out of disk space; nothing was stored");
        }
        finally
        {
            if (temp is not null && File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static IResult TooLarge(long maxBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, $"the upload is larger than the limit of {maxBytes} bytes");

    private static IResult Problem(int status, string detail) => Results.Problem(detail, statusCode: status);
}
