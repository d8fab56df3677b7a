using System.Globalization;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Faults;

/// <summary>
/// <c>Worker:MaxEncodeTime</c>: an encode that runs past the limit has its ffmpeg killed, its staging output removed,
/// and its title failed with the reason, once (a retry would take as long again).
/// </summary>
[Collection(SerialDefinition.Name)]
public sealed class EncodeTimeLimitTests : IAsyncLifetime
{
    private const string Limit = "00:00:02";

    private readonly StackFixture _stack = new()
    {
        TranscoderSettings = new Dictionary<string, string> { ["Worker__MaxEncodeTime"] = Limit, ["Worker__MaxAttempts"] = "3" },
    };

    public Task InitializeAsync() => _stack.InitializeAsync();

    public Task DisposeAsync() => _stack.DisposeAsync();

    [Fact]
    public async Task Encode_LongerThanMaxEncodeTime_KillsFfmpegRemovesStagingAndFailsTheTitleOnce()
    {
        // A 40 s source takes many times the 2 s limit to encode on any machine.
        var clip = await Media.ClipAsync(Path.Combine(_stack.Work, "long.mp4"), 640, 360, 40);
        using var upload = await _stack.UploadAsync(clip);
        upload.EnsureSuccessStatusCode();
        var id = upload.Headers.Location!.OriginalString.Split('/').Last();

        await Eventually.TrueAsync(() => FfmpegChildren(_stack.Transcoder.Pid).Count > 0, TimeSpan.FromSeconds(30), "ffmpeg never started");
        var title = await _stack.WaitForFinalAsync(id, TimeSpan.FromSeconds(30));

        Assert.Equal(TitleStatus.Failed, title.Status);
        Assert.Contains($"time limit of {Limit}", title.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_stack.MediaRoot, title.Error, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => FfmpegChildren(_stack.Transcoder.Pid).Count == 0, TimeSpan.FromSeconds(5), "an ffmpeg of the transcoder is still running");
        Assert.Empty(Directory.EnumerateDirectories(_stack.Store.Staging));
        Assert.Equal(["title.json"], Directory.EnumerateFileSystemEntries(_stack.Store.TitleDirectory(id)).Select(Path.GetFileName));

        await Task.Delay(TimeSpan.FromSeconds(3)); // a retry would have started by now
        var stored = (await _stack.Store.ReadTitleAsync(id))!;
        Assert.Equal(TitleStatus.Failed, stored.Status);
        Assert.Equal(1, stored.Attempts);
        Assert.Empty(FfmpegChildren(_stack.Transcoder.Pid));
        Assert.False(_stack.Transcoder.HasExited);
    }

    /// <summary>The live (not zombie) ffmpeg processes whose parent is <paramref name="parent"/>, from /proc.</summary>
    private static List<int> FfmpegChildren(int parent)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }

            // pid (comm) state ppid ...: comm may hold spaces, so split after its closing parenthesis.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            if (stat[(open + 1)..close] == "ffmpeg" && fields[0] != "Z" && int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
            {
                children.Add(pid);
            }
        }

        return children;
    }
}
