using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Media.Probing;
using Vod.Media.Subtitles;
using Vod.Origin.Admin;
using Vod.Origin.Catalog;
using Vod.Storage;

namespace Vod.Origin.Subtitles;

/// <summary>
/// An admin adds or removes a title's subtitle tracks:
/// <list type="bullet">
/// <item><c>POST /api/titles/{id}/subtitles</c>, multipart with a <c>file</c> (SubRip or WebVTT, UTF-8 or UTF-16 with
/// a byte order mark, at most <see cref="SubtitleText.MaxBytes"/>), a <c>language</c> (BCP 47) and an optional
/// <c>label</c>: 201 with the title, which now plays the track. The file is checked and rewritten as clean WebVTT
/// (<see cref="SubtitleText"/>); not text, the wrong encoding, cues out of order or past the title's end, a file that
/// is really something else: 422 with the reason.</item>
/// <item><c>DELETE /api/titles/{id}/subtitles/{name}</c>: 200 with the title, without the track.</item>
/// </list>
/// Either edit publishes a new version of the title (<see cref="SubtitleEditor"/>): published files never change.
/// </summary>
internal static class SubtitleEndpoints
{
    // Multipart framing and the two small fields on top of the file.
    private const long FormOverhead = 64 << 10;

    public static IServiceCollection AddSubtitles(this IServiceCollection services) => services.AddSingleton<SubtitleEditor>();

    public static IEndpointRouteBuilder MapSubtitles(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/titles/{id}/subtitles", AddAsync).RequireAdminKey().DisableAntiforgery();
        // The editor answers 404 for an unknown title or track, and 409 for a title that is not ready.
        app.MapDelete("/api/titles/{id}/subtitles/{name}", async (string id, string name, SubtitleEditor editor, CancellationToken ct) =>
            TitleId.IsValid(id)
                ? Answer(await editor.RemoveAsync(id, name, ct), StatusCodes.Status200OK)
                : Problem(StatusCodes.Status404NotFound, $"no title with id '{id}'")).RequireAdminKey();
        return app;
    }

    private static async Task<IResult> AddAsync(string id, HttpContext context, IMediaStore store, SubtitleEditor editor)
    {
        var request = context.Request;
        var title = TitleId.IsValid(id) ? await store.ReadTitleAsync(id, context.RequestAborted) : null;
        if (title is null)
        {
            return Problem(StatusCodes.Status404NotFound, $"no title with id '{id}'");
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "send the subtitles as multipart/form-data with a 'file' field and a 'language' field");
        }

        if (request.ContentLength > SubtitleText.MaxBytes + FormOverhead)
        {
            return TooLarge();
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = SubtitleText.MaxBytes + FormOverhead;
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = SubtitleText.MaxBytes + FormOverhead }, context.RequestAborted);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return TooLarge();
        }
        catch (InvalidDataException)
        {
            return Problem(StatusCodes.Status400BadRequest, "the body is not well-formed multipart/form-data");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }

        if (form.Files.GetFile("file") is not { } file)
        {
            return Problem(StatusCodes.Status400BadRequest, "the form has no 'file' field with the subtitle file");
        }

        if (file.Length > SubtitleText.MaxBytes)
        {
            return TooLarge();
        }

        if (!LanguageTags.TryNormalize(form["language"], out var language))
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, string.IsNullOrWhiteSpace(form["language"])
                ? "the 'language' field is required: a BCP 47 tag such as en, fr or pt-BR"
                : "the 'language' field is not a BCP 47 tag (such as en, fr or pt-BR)");
        }

        // The label a menu shows: the admin's, else the language's name.
        var given = form["label"].ToString().Trim();
        var label = given.Length == 0
            ? LanguageTags.EnglishName(language) ?? (language == LanguageTags.Undetermined ? "Subtitles" : language)
            : TrackLabels.Clean(given) is { } clean && clean.Length == given.Length ? clean : null; // not cut short, no control character
        if (label is null)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, $"the 'label' field must be one line of at most {TrackLabels.MaxLength} characters");
        }

        if (title.Status != TitleStatus.Ready || title.Version is null || title.DurationSeconds is not { } seconds)
        {
            return Problem(StatusCodes.Status409Conflict, $"title '{id}' is {title.Status.ToString().ToLowerInvariant()}: subtitles can be added once it is ready");
        }

        SubtitleDocument document;
        using (var bytes = new MemoryStream((int)file.Length))
        {
            await file.CopyToAsync(bytes, context.RequestAborted);
            try
            {
                document = SubtitleText.Parse(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), TimeSpan.FromSeconds(seconds));
            }
            catch (SubtitleRejectedException e)
            {
                return Problem(StatusCodes.Status422UnprocessableEntity, e.Message);
            }
        }

        return Answer(await editor.AddAsync(id, language, label, document, context.RequestAborted), StatusCodes.Status201Created);
    }

    private static IResult Answer(SubtitleEdit edit, int success) => edit switch
    {
        { Title: { } title } when success == StatusCodes.Status201Created => Results.Created($"/api/titles/{title.Id}", TitleResource.From(title)),
        { Title: { } title } => Results.Ok(TitleResource.From(title)),
        _ => Problem(edit.Status, edit.Reason!),
    };

    private static IResult TooLarge() =>
        Problem(StatusCodes.Status413PayloadTooLarge, $"the subtitle file is larger than the limit of {SubtitleText.MaxBytes} bytes");

    private static IResult Problem(int status, string detail) => Results.Problem(detail, statusCode: status);
}
