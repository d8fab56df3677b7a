using Vod.Storage;

namespace Vod.Origin.Media;

internal static class MediaStoreUnavailable
{
    /// <summary>
    /// A request that failed because the remote media store did not answer gets 503 with that reason (and a
    /// Retry-After), not a bare 500: the request was fine, the store will be back, and nothing half-done was kept.
    /// </summary>
    public static WebApplication UseMediaStoreUnavailable(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MediaStoreUnavailable));
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (MediaStoreErrors.IsUnavailable(e) && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                Vod.Origin.Log.MediaStoreUnavailable(logger, context.Request.Method, context.Request.Path, e.Message);
                context.Response.Clear();
                context.Response.Headers.RetryAfter = "5";
                await Results.Problem("the media store is unavailable: try again shortly (nothing was changed)", statusCode: StatusCodes.Status503ServiceUnavailable)
                    .ExecuteAsync(context);
            }
        });
        return app;
    }
}
