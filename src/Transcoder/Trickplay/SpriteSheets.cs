using FFMpegCore;
using FFMpegCore.Exceptions;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Media;

namespace Vod.Transcoder.Trickplay;

/// <summary>
/// Makes a version's trick-play previews in its ladder directory, before it is published (so they appear with the
/// rest of the version, never half): <c>trickplay/sheet_NNN.jpg</c> and <c>trickplay/storyboard.vtt</c>
/// (<see cref="StoryboardPlan"/>), with one ffmpeg run (<c>fps</c>, <c>scale</c>, <c>tile</c>).
/// </summary>
internal sealed class SpriteSheets(IOptions<TrickplayOptions> options, ILogger<SpriteSheets> logger)
{
    /// <summary>
    /// The sheets of a packaged ladder, decoded from its smallest rendition at least a tile wide (decoding 240p instead
    /// of the source makes them cheap next to the ladder; its frames are the ones players show), in the ladder directory.
    /// </summary>
    public Task<TrickplayInfo?> MakeForLadderAsync(IReadOnlyList<RenditionInfo> renditions, TimeSpan duration, string ladderDirectory, CancellationToken cancellationToken)
    {
        var smallestFirst = renditions.OrderBy(r => r.Width).ToList();
        var rendition = smallestFirst.FirstOrDefault(r => r.Width >= options.Value.TileWidth) ?? smallestFirst[^1];
        return MakeAsync(Path.Combine(ladderDirectory, rendition.Playlist), rendition.Width, rendition.Height, duration, ladderDirectory, cancellationToken);
    }

    /// <summary>
    /// Decodes <paramref name="input"/> into sheets. Returns what the title record
    /// needs, or null when they could not be made: a title without previews is still a title. Cancellation (the
    /// attempt's time limit) is not swallowed.
    /// </summary>
    /// <param name="input">A file ffmpeg reads with the file protocol only (the rendition's <c>index.m3u8</c> or a video).</param>
    /// <param name="width">Width of <paramref name="input"/>'s video.</param>
    /// <param name="height">Height of <paramref name="input"/>'s video.</param>
    public async Task<TrickplayInfo?> MakeAsync(string input, int width, int height, TimeSpan duration, string versionDirectory, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return null;
        }

        var plan = StoryboardPlan.For(settings, width, height, duration);
        var directory = Path.Combine(versionDirectory, StoryboardPlan.Directory);
        Directory.CreateDirectory(directory);
        try
        {
            await FFMpegArguments
                .FromFileInput(input, verifyExists: true, o => o.WithCustomArgument(FfmpegArguments.Join(["-protocol_whitelist", FfmpegArguments.ProtocolWhitelist])))
                .OutputToFile(Path.Combine(directory, "sheet_%03d.jpg"), overwrite: true, o => o.WithCustomArgument(FfmpegArguments.Join(
                    ["-an", "-sn", "-dn", "-vf", plan.FilterGraph, "-q:v", "5", "-start_number", "0", "-f", "image2"])))
                .CancellableThrough(cancellationToken)
                .ProcessAsynchronously(throwOnError: true, ffOptions: null, cancellationToken: CancellationToken.None);
        }
        catch (FFMpegException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Drop(directory, e.Message);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var missing = Enumerable.Range(0, plan.Sheets).FirstOrDefault(i => !File.Exists(Path.Combine(directory, StoryboardPlan.SheetName(i))), -1);
        if (missing >= 0)
        {
            return Drop(directory, $"ffmpeg wrote no {StoryboardPlan.SheetName(missing)}");
        }

        // The decoded rendition can run a frame past the probed duration and give one sheet more than the plan names.
        foreach (var extra in Directory.EnumerateFiles(directory, "sheet_*.jpg")
            .Where(f => !Enumerable.Range(0, plan.Sheets).Any(i => Path.GetFileName(f) == StoryboardPlan.SheetName(i))).ToList())
        {
            File.Delete(extra);
        }

        await File.WriteAllTextAsync(Path.Combine(directory, StoryboardPlan.StoryboardFile), plan.WriteStoryboard(), cancellationToken);
        return plan.ToInfo();
    }

    private TrickplayInfo? Drop(string directory, string reason)
    {
        Log.NoTrickplay(logger, reason);
        Directory.Delete(directory, recursive: true);
        return null;
    }
}
