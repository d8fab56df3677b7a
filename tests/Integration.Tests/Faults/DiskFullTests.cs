using System.Diagnostics;
using System.Net;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Faults;

/// <summary>
/// The media store on a small tmpfs: an upload or a transcode that runs out of space fails with a clear error and
/// leaves nothing half-written. Mounting needs root; elsewhere the tests are skipped with a message. Nothing here bounds
/// a time or kills a process, so the class runs with the parallel collections.
/// </summary>
public sealed class DiskFullTests : IAsyncLifetime
{
    private const int DiskMegabytes = 12;
    private string _mount = "";
    private StackFixture? _stack;

    public async Task InitializeAsync()
    {
        _mount = Directory.CreateTempSubdirectory("vod-full-").FullName;
        var mounted = await Media.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={DiskMegabytes}m", "tmpfs", _mount]);
        if (mounted.ExitCode != 0)
        {
            return; // not root, or no mount permission: the tests skip
        }

        _stack = new StackFixture
        {
            ExistingMediaRoot = _mount,
            WithTranscoder = false,
            TranscoderSettings = new Dictionary<string, string> { ["Worker__MaxAttempts"] = "1" },
        };
        await _stack.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
            await Media.RunAsync("umount", [_mount]);
        }

        Directory.Delete(_mount, recursive: true);
    }

    [SkippableFact]
    public async Task Upload_LargerThanTheFreeSpace_Is507AndLeavesNothing()
    {
        Skip.If(_stack is null, "needs root to mount a small tmpfs for the media store");
        var big = Path.Combine(_stack.Work, "big.mp4");
        await File.WriteAllBytesAsync(big, new byte[(DiskMegabytes + 2) << 20]);

        using var response = await _stack.UploadAsync(big);

        Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
        Assert.Contains("out of disk space", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_stack.Store.Uploads));
        Assert.Empty(Directory.EnumerateDirectories(_stack.Store.Titles));
    }

    [SkippableFact]
    public async Task Transcode_RunningOutOfSpace_FailsClearlyAndPublishesNothing()
    {
        Skip.If(_stack is null, "needs root to mount a small tmpfs for the media store");
        var clip = await Media.ClipAsync(Path.Combine(_stack.Work, "fits.mp4"), 640, 360, 6);
        using var upload = await _stack.UploadAsync(clip);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var id = upload.Headers.Location!.OriginalString.Split('/').Last();
        FillDisk(leaveBytes: 64 * 1024); // the upload fits; its ladder does not

        _stack.ReplaceTranscoder(await _stack.StartTranscoderAsync());
        var title = await _stack.WaitForFinalAsync(id, TimeSpan.FromSeconds(60));

        Assert.Equal(TitleStatus.Failed, title.Status);
        Assert.Contains("space", title.Error, StringComparison.OrdinalIgnoreCase);
        Assert.False(Directory.EnumerateDirectories(_stack.Store.TitleDirectory(id)).Any());
        Assert.Empty(Directory.EnumerateDirectories(_stack.Store.Staging));
    }

    private void FillDisk(long leaveBytes)
    {
        var free = new DriveInfo(_mount).AvailableFreeSpace;
        using var filler = File.Create(Path.Combine(_mount, "filler"));
        filler.Write(new byte[Math.Max(0, free - leaveBytes)]);
        Debug.Assert(new DriveInfo(_mount).AvailableFreeSpace <= leaveBytes + 4096);
    }
}
