using System.Collections.Concurrent;
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
    /// <remarks>
    /// The same arguments make the same bytes (the lavfi sources and the encoders are deterministic), so each clip is
    /// encoded once per test run and copied to <paramref name="path"/> for every test that asks for it again.
    /// </remarks>
    /// <param name="compact">Encode slower but several times smaller (long clips must stay under the test upload limit).</param>
    public static async Task<string> ClipAsync(string path, int width, int height, int seconds, int frameRate = 30, bool compact = false)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{width}x{height}-{seconds}s-{frameRate}fps{(compact ? "-compact" : "")}{Path.GetExtension(path)}");
        var encoding = Clips.GetOrAdd(key, k => new Lazy<Task<string>>(() => EncodeClipAsync(Path.Combine(ClipDirectory.Value, k), width, height, seconds, frameRate, compact)));
        string encoded;
        try
        {
            encoded = await encoding.Value;
        }
        catch
        {
            Clips.TryRemove(KeyValuePair.Create(key, encoding)); // the next caller tries again
            throw;
        }

        File.Copy(encoded, path, overwrite: true);
        return path;
    }

    private static async Task<string> EncodeClipAsync(string path, int width, int height, int seconds, int frameRate, bool compact)
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

    /// <summary>Clips encoded so far in this run, by their arguments (and the file extension, which picks the container).</summary>
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Clips = new();

    /// <summary>Where they are kept: a temporary directory, removed when the test process exits.</summary>
    private static readonly Lazy<string> ClipDirectory = new(() =>
    {
        var directory = Directory.CreateTempSubdirectory("vod-clips-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return directory;
    });
}
