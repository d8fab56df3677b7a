using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Vod.Media.Probing;
using Vod.Transcoder.Jobs;
using Vod.Transcoder.Ladder;
using Vod.Transcoder.Packaging;

namespace Vod.Transcoder.Cli;

/// <summary>
/// <c>Vod.Transcoder package &lt;input&gt; &lt;output directory&gt; [--Ladder:Mode=PerTitle ...]</c>: probes a file and
/// packages its ladder with the product's own code and settings (no Redis, no media store), then prints what was
/// packaged as JSON on stdout: each rendition with its bitrates and, for a per-title ladder, its trial figures, and the
/// wall time. For benchmarks (<c>bench/ladder-quality.sh</c>) and for trying ladder settings on a file by hand.
/// </summary>
internal static class PackageCommand
{
    public const string Name = "package";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        if (positional.Count != 2)
        {
            await Console.Error.WriteLineAsync("usage: Vod.Transcoder package <input file> <output directory> [--Ladder:Mode=PerTitle] [--Ladder:Preset=veryfast] ...");
            return 2;
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToArray())
            .Build();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true))
            .Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        services.AddLadder(configuration);
        await using var provider = services.BuildServiceProvider();

        var (input, output) = (Path.GetFullPath(positional[0]), Path.GetFullPath(positional[1]));
        var scratch = Directory.CreateTempSubdirectory("vod-package-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            var source = await SourceProbe.ProbeAsync(input, provider.GetRequiredService<IOptions<ProbeOptions>>().Value, CancellationToken.None);
            Directory.CreateDirectory(output);
            var ladder = await provider.GetRequiredService<LadderPackager>().PackageAsync(input, source, output, scratch, _ => { }, CancellationToken.None);
            var report = new
            {
                Mode = provider.GetRequiredService<IOptions<LadderOptions>>().Value.Mode.ToString(),
                Seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
                Source = new { source.Width, source.Height, source.FrameRate, DurationSeconds = source.Duration.TotalSeconds },
                ladder.Renditions,
                ladder.Audio,
            };
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(report, Json));
            return 0;
        }
        catch (Exception e) when (e is SourceRejectedException or PackagingException)
        {
            await Console.Error.WriteLineAsync("package: " + e.Message);
            return 1;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
