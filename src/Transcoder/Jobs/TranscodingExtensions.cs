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
        services.AddValidatedOptions<LadderOptions>(configuration, LadderOptions.Section)
            .Validate(o => o.Rungs.All(r => r.Name.Length > 0 && r.Height >= 64 && r.VideoKbps >= 50), "every Ladder:Rungs entry needs a Name, Height >= 64 and VideoKbps >= 50")
            .Validate(o => o.Rungs.All(r => !r.Name.StartsWith(FfmpegLadderCommand.AudioDirectory, StringComparison.Ordinal)) && o.Rungs.Select(r => r.Name).Distinct().Count() == o.Rungs.Count,
                $"Ladder:Rungs names must be distinct and not start with '{FfmpegLadderCommand.AudioDirectory}' (the audio renditions' directories)");
        services.AddValidatedOptions<ProbeOptions>(configuration, ProbeOptions.Section);
        services.AddValidatedOptions<WorkerOptions>(configuration, WorkerOptions.Section);
        services.AddValidatedOptions<TrickplayOptions>(configuration, TrickplayOptions.Section);
        services.AddSingleton<SpriteSheets>();
        services.AddSingleton<SubtitleExtractor>();
        services.AddSingleton<StagingArea>();
        services.AddSingleton<LadderPackager>();
        services.AddSingleton<ComplexityPass>();
        services.AddSingleton<TitleTranscoder>();
        services.AddHostedService<TranscodeWorker>();
        return services;
    }
}
