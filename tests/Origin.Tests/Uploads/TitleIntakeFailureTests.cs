using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Media.Probing;
using Vod.Origin.Jobs;
using Vod.Origin.Uploads;
using Vod.Storage;

namespace Vod.Origin.Tests.Uploads;

public sealed class TitleIntakeFailureTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("vod-intake-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task AcceptAsync_TitleJsonCannotBeWritten_RemovesTheMovedSourceAndThrows()
    {
        var store = new LocalMediaStore(_root);
        Directory.CreateDirectory(store.Uploads);
        await File.WriteAllTextAsync(store.Titles, "a file where the titles directory should be: title.json cannot be written");
        var temp = Path.Combine(store.Uploads, AbandonedUploads.NewTempName());
        await MakeClipAsync(temp);
        var jobs = new JobQueue(null!, store, Options.Create(new JobOptions()), TimeProvider.System, NullLogger<JobQueue>.Instance);
        var intake = new TitleIntake(store, jobs, TimeProvider.System, Options.Create(new ProbeOptions()));

        await Assert.ThrowsAnyAsync<IOException>(() => intake.AcceptAsync(temp, "clip", "clip.mp4", CancellationToken.None));

        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Uploads)); // neither the temp file nor the moved source
    }

    private static async Task MakeClipAsync(string path)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x36:rate=5", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mp4", path })
        {
            start.ArgumentList.Add(argument);
        }

        using var ffmpeg = Process.Start(start)!;
        var errors = await ffmpeg.StandardError.ReadToEndAsync();
        await ffmpeg.WaitForExitAsync();
        Assert.True(ffmpeg.ExitCode == 0, errors);
    }
}
