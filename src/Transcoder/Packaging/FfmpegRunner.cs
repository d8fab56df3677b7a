using FFMpegCore;
using FFMpegCore.Enums;
using FFMpegCore.Exceptions;
using Vod.Media;

namespace Vod.Transcoder.Packaging;

/// <summary>One ffmpeg run as data: inputs, each with the options that precede its <c>-i</c>, and the output
/// arguments, whose last output file is <see cref="LastOutput"/> (FFMpegCore appends it).</summary>
internal sealed record FfmpegRun(IReadOnlyList<(IReadOnlyList<string> Options, string Path)> Inputs, IReadOnlyList<string> OutputArguments, string LastOutput)
{
    /// <summary>The full argument list, as ffmpeg receives it (for logs and tests).</summary>
    public IReadOnlyList<string> All => [.. Inputs.SelectMany(i => i.Options.Append("-i").Append(i.Path)), .. OutputArguments, LastOutput];
}

/// <summary>
/// Runs the packaging's ffmpeg processes (the ladder, the per-title pass's steps) through FFMpegCore: stderr is kept
/// (the last <c>keep</c> lines), cancellation kills ffmpeg and is rethrown once it has exited, and a failure is a
/// <see cref="PackagingException"/> whose message the caller writes from the kept lines (without server paths: the
/// title's error is public). A full disk is <see cref="LadderPackager.OutOfSpace"/> whether ffmpeg failed or not: its
/// HLS muxer can exit 0 after failed writes, and a full disk must not pass for a short ladder.
/// </summary>
internal static class FfmpegRunner
{
    /// <param name="describe">The error message for a failed run, from the kept stderr lines.</param>
    /// <param name="infoLevel">Run at ffmpeg's info log level whatever the global options say (the psnr and ssim
    /// filters' summaries are info lines).</param>
    public static async Task<IReadOnlyList<string>> RunAsync(
        FfmpegRun run,
        Func<IReadOnlyList<string>, string> describe,
        CancellationToken cancellationToken,
        int keep = int.MaxValue,
        bool infoLevel = false,
        Action<double>? onProgress = null,
        TimeSpan duration = default)
    {
        var lines = new Queue<string>();
        var (firstOptions, firstPath) = run.Inputs[0];
        var arguments = FFMpegArguments.FromFileInput(firstPath, verifyExists: true, o => o.WithCustomArgument(FfmpegArguments.Join(firstOptions)));
        foreach (var (options, path) in run.Inputs.Skip(1))
        {
            arguments = arguments.AddFileInput(path, verifyExists: true, o => o.WithCustomArgument(FfmpegArguments.Join(options)));
        }

        var processor = arguments
            .OutputToFile(run.LastOutput, overwrite: true, o => o.WithCustomArgument(FfmpegArguments.Join(run.OutputArguments)))
            .NotifyOnStandardError(line =>
            {
                lock (lines)
                {
                    lines.Enqueue(line);
                    if (lines.Count > keep)
                    {
                        lines.Dequeue();
                    }
                }
            })
            .CancellableThrough(cancellationToken);
        if (infoLevel)
        {
            processor = processor.WithLogLevel(FFMpegLogLevel.Info);
        }

        if (onProgress is not null)
        {
            processor = processor.NotifyOnPercentageProgress(onProgress, duration);
        }

        try
        {
            await processor.ProcessAsynchronously(throwOnError: true, ffOptions: null, cancellationToken: CancellationToken.None); // cancelled through CancellableThrough above
        }
        catch (FFMpegException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var kept = Snapshot(lines);
            throw new PackagingException(IsOutOfSpace(kept) ? LadderPackager.OutOfSpace : describe(kept), e);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var all = Snapshot(lines);
        return IsOutOfSpace(all) ? throw new PackagingException(LadderPackager.OutOfSpace) : all;
    }

    private static List<string> Snapshot(Queue<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }

    private static bool IsOutOfSpace(IEnumerable<string> lines) => lines.Any(l => l.Contains("No space left on device", StringComparison.OrdinalIgnoreCase));
}
