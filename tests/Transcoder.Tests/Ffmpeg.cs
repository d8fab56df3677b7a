using System.Diagnostics;

namespace Vod.Transcoder.Tests;

/// <summary>Runs the real /usr/bin/ffmpeg (or ffprobe) with an exact argument list (no shell, no quoting).</summary>
internal static class Ffmpeg
{
    public const string Path = "/usr/bin/ffmpeg";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs ffmpeg and returns what it wrote to stderr (with <c>-v error</c>: its errors).</summary>
    public static async Task<string> RunAsync(IEnumerable<string> arguments) => (await RunAsync(Path, arguments)).StandardError;

    /// <summary>Runs /usr/bin/ffprobe and returns what it wrote to stdout.</summary>
    public static async Task<string> ProbeAsync(IEnumerable<string> arguments) => (await RunAsync("/usr/bin/ffprobe", arguments)).StandardOutput;

    private static async Task<(string StandardOutput, string StandardError)> RunAsync(string executable, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        process.StandardInput.Close(); // ffmpeg reads keys from stdin; give it none
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{System.IO.Path.GetFileName(executable)} ran longer than {Timeout}: {await stderr}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{System.IO.Path.GetFileName(executable)} exited with {process.ExitCode}: {await stderr}");
        }

        return (await stdout, await stderr);
    }

    /// <summary>A test pattern with a sine tone, encoded to H.264/AAC in MP4.</summary>
    public static Task TestClipAsync(string output, int width, int height, double seconds, params string[] encoderOptions) =>
        RunAsync([
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. encoderOptions,
            output,
        ]);
}
