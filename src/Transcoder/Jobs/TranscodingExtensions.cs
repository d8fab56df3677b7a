using Vod.Media.Probing;
using Vod.ServiceDefaults;
using Vod.Transcoder.Ladder;
using Vod.Transcoder.Ladder.PerTitle;
using Vod.Transcoder.Packaging;
using Vod.Transcoder.Publishing;
using Vod.Transcoder.Subtitles;
using Vod.Transcoder.Trickplay;

namespace Vod.Transcoder.Jobs;

internal static class TranscodingExtensions
{
    public static IServiceCollection AddTranscoding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLadder(configuration);
        services.AddValidatedOptions<WorkerOptions>(configuration, WorkerOptions.Section);
        services.AddValidatedOptions<TrickplayOptions>(configuration, TrickplayOptions.Section);
        services.AddSingleton<SpriteSheets>();
        services.AddSingleton<SubtitleExtractor>();
        services.AddSingleton<StagingArea>();
        services.AddSingleton<TitleTranscoder>();
        services.AddHostedService<TranscodeWorker>();
        return services;
    }

    /// <summary>What packaging a ladder needs, and nothing of the worker: also used by the <c>package</c> command.</summary>
    public static IServiceCollection AddLadder(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<LadderOptions>(configuration, LadderOptions.Section)
            // Ladder:Codecs=h264,av1: a value on the list's own key, which the binder leaves alone; it is split at commas.
            .PostConfigure(o =>
            {
                if (o.Codecs.Count == 0 && configuration[$"{LadderOptions.Section}:{nameof(LadderOptions.Codecs)}"] is { Length: > 0 } list)
                {
                    o.Codecs.Add(list);
                }
            })
            .Validate(o => o.Rungs.All(r => r.Name.Length > 0 && r.Height >= 64 && r.VideoKbps >= 50), "every Ladder:Rungs entry needs a Name, Height >= 64 and VideoKbps >= 50")
            .Validate(o => o.Rungs.All(r => !r.Name.StartsWith(FfmpegLadderCommand.AudioDirectory, StringComparison.Ordinal)) && o.Rungs.Select(r => r.Name).Distinct().Count() == o.Rungs.Count,
                $"Ladder:Rungs names must be distinct and not start with '{FfmpegLadderCommand.AudioDirectory}' (the audio renditions' directories)")
            .Validate(o => o.CodecsAreValid, "Ladder:Codecs names known codecs only (h264, av1), h264 among them: every player decodes H.264, AV1 is for those that also decode it")
            // DataAnnotations do not look into the list's items, so RungOptions.Name's pattern (no hyphen) is not enforced.
            .Validate(o => !o.EffectiveCodecs.Contains(VideoCodec.Av1) || !o.Rungs.Any(r => o.Rungs.Any(other => r.Name == FfmpegLadderCommand.Av1NameOf(other.Name))),
                $"with av1 in Ladder:Codecs, no Ladder:Rungs name may be another rung's name with '{FfmpegLadderCommand.Av1Suffix}' (that rung's AV1 copy's directory)")
            .Validate(o => System.ComponentModel.DataAnnotations.Validator.TryValidateObject(o.PerTitle, new(o.PerTitle), null, validateAllProperties: true)
                && o.PerTitle.EffectiveTrialHeights.All(h => h is >= 64 and <= 4320)
                && o.PerTitle.EffectiveTrialCrfs.All(c => c is >= 0 and <= 51)
                && o.PerTitle.MinRungRatio <= o.PerTitle.MaxRungRatio,
                "Ladder:PerTitle needs TrialHeights (64 to 4320) and TrialCrfs (0 to 51), MinRungRatio <= MaxRungRatio, and its other values in range");
        services.AddValidatedOptions<ProbeOptions>(configuration, ProbeOptions.Section);
        services.AddSingleton<ComplexityPass>();
        services.AddSingleton<LadderPackager>();
        return services;
    }
}
