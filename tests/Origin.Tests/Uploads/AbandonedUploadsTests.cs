using Vod.Common.Catalog;
using Vod.Origin.Uploads;
using Vod.Storage;

namespace Vod.Origin.Tests.Uploads;

public sealed class AbandonedUploadsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("vod-uploads-").FullName;
    private readonly LocalMediaStore _store;

    public AbandonedUploadsTests()
    {
        _store = new LocalMediaStore(_root);
        _store.EnsureCreated();
    }

    [Theory]
    [InlineData(".tmp-host-1234-0123456789abcdef", "host", 1234)]
    [InlineData(".tmp-my_host-7-abc", "my_host", 7)]
    [InlineData(".tmp-0123456789abcdef", null, 0)] // the older shape: no writer
    [InlineData(".tmp-host-x12-abc", null, 0)]
    [InlineData("movie.mp4", null, 0)]
    public void Writer_FileNames_ReadMachineAndPid(string name, string? machine, int pid)
    {
        var writer = AbandonedUploads.Writer(name);

        Assert.Equal(machine, writer?.Machine);
        Assert.Equal(pid, writer?.Pid ?? 0);
    }

    [Fact]
    public void Remove_OnlyUploadsWhoseWriterIsGone()
    {
        var mine = Touch(AbandonedUploads.NewTempName()); // this process: in flight
        var dead = Touch(AbandonedUploads.NewTempName().Replace($"-{Environment.ProcessId}-", "-999999-", StringComparison.Ordinal));
        var otherMachineFresh = Touch(".tmp-otherhost-42-0123456789abcdef");
        var otherMachineStale = Touch(".tmp-otherhost-43-0123456789abcdef", DateTime.UtcNow.AddMinutes(-10));
        var keep = Touch("abcdefghij23.mp4", DateTime.UtcNow.AddMinutes(-10));

        var removed = AbandonedUploads.Remove(_store, DateTimeOffset.UtcNow - AbandonedUploads.AbandonedAfter, pid => pid != 999999);

        Assert.Equal(2, removed);
        Assert.True(File.Exists(mine));
        Assert.False(File.Exists(dead)); // a process of this machine that no longer runs: at once
        Assert.True(File.Exists(otherMachineFresh)); // another origin's upload in flight
        Assert.False(File.Exists(otherMachineStale)); // untouched for long: nobody writes it
        Assert.True(File.Exists(keep));
    }

    private string Touch(string name, DateTime? lastWrite = null)
    {
        var path = Path.Combine(_store.Uploads, name);
        File.WriteAllText(path, "x");
        if (lastWrite is { } at)
        {
            File.SetLastWriteTimeUtc(path, at);
        }

        return path;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
