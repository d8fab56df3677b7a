using Vod.Storage;

namespace Vod.Common.Tests.Storage;

public sealed class LocalPartialUploadsTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly LocalMediaStore _store;

    public LocalPartialUploadsTests() => _store = new LocalMediaStore(_root.Path);

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task AppendAsync_BytesPastTheCommittedOffset_AreCutBeforeTheNextWrite()
    {
        const string id = "0123456789abcdef0123456789abcdef";
        await _store.AppendAsync(id, 0, new MemoryStream([1, 2, 3]), 10, _ => Task.FromResult(true));
        // A request whose origin died after writing but before committing: its bytes stay on disk, uncounted.
        await _store.AppendAsync(id, 3, new MemoryStream([9, 9, 9, 9]), 7, _ => Task.FromResult(false));
        await File.AppendAllBytesAsync(_store.PartialFile(id), [8, 8]);

        var write = await _store.AppendAsync(id, 3, new MemoryStream([4, 5]), 7, _ => Task.FromResult(true));

        Assert.Equal(new PartialWrite(2, true, false), write);
        Assert.Equal([1, 2, 3, 4, 5], await File.ReadAllBytesAsync(_store.PartialFile(id)));
    }

    [Fact]
    public async Task AppendAsync_WhileAnotherWriteHoldsTheUpload_IsBusy()
    {
        const string id = "fedcba9876543210fedcba9876543210";
        var inCommit = new TaskCompletionSource();
        var release = new TaskCompletionSource<bool>();
        var first = _store.AppendAsync(id, 0, new MemoryStream([1]), 10, _ => { inCommit.SetResult(); return release.Task; });
        await inCommit.Task;

        var e = await Assert.ThrowsAsync<PartialUploadException>(() => _store.AppendAsync(id, 0, new MemoryStream([2]), 10, _ => Task.FromResult(true)));

        release.SetResult(true);
        await first;
        Assert.Equal(PartialUploadProblem.Busy, e.Problem);
    }

    [Fact]
    public async Task AppendAsync_MoreThanLeft_IsTooLargeAndKeepsNothing()
    {
        const string id = "00000000000000000000000000000001";

        var e = await Assert.ThrowsAsync<PartialUploadException>(() => _store.AppendAsync(id, 0, new MemoryStream(new byte[11]), 10, _ => Task.FromResult(true)));

        Assert.Equal(PartialUploadProblem.TooLarge, e.Problem);
        Assert.Equal(0, new FileInfo(_store.PartialFile(id)).Length);
    }

    [Fact]
    public async Task AssembleAsync_WholeUpload_MovesItOutOfPartial()
    {
        const string id = "00000000000000000000000000000002";
        await _store.AppendAsync(id, 0, new MemoryStream([1, 2, 3]), 3, _ => Task.FromResult(true));
        var target = Path.Combine(_store.Uploads, ".tmp-test");

        await _store.AssembleAsync(id, [], 3, target);

        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(target));
        Assert.False(File.Exists(_store.PartialFile(id)));
    }
}
