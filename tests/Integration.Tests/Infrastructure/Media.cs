using System.Diagnostics;
using System.Globalization;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>Runs the real ffmpeg/ffprobe and makes test media from lavfi sources.</summary>
public static class Media
{
    public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<ToolResult> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"{tool} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>An H.264/AAC MP4 of a test pattern and a tone, <paramref name="seconds"/> long.</summary>
    /// <param name="compact">Encode slower but several times smaller (long clips must stay under the test upload limit).</param>
    public static async Task<string> ClipAsync(string path, int width, int height, int seconds, int frameRate = 30, bool compact = false)
    {
        var inv = CultureInfo.InvariantCulture;
        var result = await RunAsync("ffmpeg",
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", string.Create(inv, $"testsrc2=size={width}x{height}:rate={frameRate}"),
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", seconds.ToString(inv), "-c:v", "libx264", "-preset", compact ? "veryfast" : "ultrafast", "-crf", compact ? "30" : "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path,
        ]);
        Assert.True(result.ExitCode == 0, "ffmpeg could not make the test clip: " + result.StandardError);
        return path;
    }
}
