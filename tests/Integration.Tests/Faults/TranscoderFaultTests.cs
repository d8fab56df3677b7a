using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Faults;

/// <summary>Transcoders are killed and stopped mid-job; the job is finished by another, or given up on, never lost.</summary>
[Collection(SerialDefinition.Name)]
public sealed class TranscoderFaultTests : IAsyncLifetime
{
    private readonly StackFixture _stack = new()
    {
        TranscoderSettings = new Dictionary<string, string> { ["Worker__ClaimIdle"] = "00:00:02", ["Worker__MaxAttempts"] = "2" },
    };

    public Task InitializeAsync() => _stack.InitializeAsync();

    public Task DisposeAsync() => _stack.DisposeAsync();

    [Fact]
    public async Task TranscoderSigkilledMidJob_AnotherClaimsAndFinishes_NoPartialTitleEverVisible()
    {
        var id = await UploadLongClipAsync();
        await WaitForProgressAsync(id);

        _stack.Transcoder.Signal(Signals.Kill);
        await _stack.Transcoder.WaitForExitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(["title.json"], Directory.EnumerateFileSystemEntries(_stack.Store.TitleDirectory(id)).Select(Path.GetFileName));
        Assert.NotEmpty(Directory.EnumerateDirectories(_stack.Store.Staging)); // the dead worker's output, never published
        Assert.Equal(TitleStatus.Transcoding, (await _stack.GetTitleAsync(id))!.Status);

        _stack.ReplaceTranscoder(await _stack.StartTranscoderAsync("transcoder-2"));
        var title = await _stack.WaitForFinalAsync(id, TimeSpan.FromSeconds(90));

        Assert.Equal(TitleStatus.Ready, title.Status);
        Assert.Equal(2, (await _stack.Store.ReadTitleAsync(id))!.Attempts);
        await Eventually.TrueAsync(() => !Directory.EnumerateDirectories(_stack.Store.Staging).Any(), TimeSpan.FromSeconds(15), "staging leftovers were not swept");
    }

    [Fact]
    public async Task LongJob_WithASecondWorkerWaiting_KeepsItsClaimAndIsNotStolen()
    {
        // The claim timeout is 2 s and the encode takes several times that: without renewal, the idle worker would
        // claim the job mid-encode and the title would show two attempts.
        await using var second = await _stack.StartTranscoderAsync("transcoder-2");
        var id = await UploadLongClipAsync();

        var title = await _stack.WaitForFinalAsync(id, TimeSpan.FromSeconds(90));

        Assert.Equal(TitleStatus.Ready, title.Status);
        Assert.Equal(1, (await _stack.Store.ReadTitleAsync(id))!.Attempts);
    }

    [Fact]
    public async Task TranscoderSigtermedMidJob_HandsTheJobBackAndItCompletesLater()
    {
        var id = await UploadLongClipAsync();
        await WaitForProgressAsync(id);

        _stack.Transcoder.Signal(Signals.Term);
        Assert.True(await _stack.Transcoder.WaitForExitAsync(TimeSpan.FromSeconds(20)), "the transcoder did not stop on SIGTERM");

        var handedBack = (await _stack.Store.ReadTitleAsync(id))!;
        Assert.Equal(TitleStatus.Queued, handedBack.Status);
        Assert.Equal(0, handedBack.Attempts); // stopping is not the title's fault
        Assert.Empty(Directory.EnumerateDirectories(_stack.Store.Staging));

        _stack.ReplaceTranscoder(await _stack.StartTranscoderAsync("transcoder-2"));
        Assert.Equal(TitleStatus.Ready, (await _stack.WaitForFinalAsync(id, TimeSpan.FromSeconds(90))).Status);
    }

    [Fact]
    public async Task JobThatKillsItsWorkerEveryTime_IsFailedAfterMaxAttemptsAndNotRetried()
    {
        var id = await UploadLongClipAsync();
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await Eventually.TrueAsync(async () => (await _stack.Store.ReadTitleAsync(id))!.Attempts == attempt, TimeSpan.FromSeconds(30), $"attempt {attempt} did not start");
            await WaitForProgressAsync(id);
            _stack.Transcoder.Signal(Signals.Kill);
            await _stack.Transcoder.WaitForExitAsync(TimeSpan.FromSeconds(5));
            _stack.ReplaceTranscoder(await _stack.StartTranscoderAsync($"transcoder-{attempt + 1}"));
        }

        var title = await _stack.WaitForFinalAsync(id, TimeSpan.FromSeconds(30));

        Assert.Equal(TitleStatus.Failed, title.Status);
        Assert.Contains("gave up after 2 attempts", title.Error, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(5)); // past another claim timeout: nobody picks it up again
        Assert.Equal(TitleStatus.Failed, (await _stack.GetTitleAsync(id))!.Status);
        Assert.False(Directory.EnumerateDirectories(_stack.Store.TitleDirectory(id)).Any());
    }

    /// <summary>A 40 s clip: long enough that its encode can be caught running.</summary>
    private async Task<string> UploadLongClipAsync()
    {
        var clip = await Media.ClipAsync(Path.Combine(_stack.Work, "long.mp4"), 640, 360, 40);
        using var response = await _stack.UploadAsync(clip);
        response.EnsureSuccessStatusCode();
        return response.Headers.Location!.OriginalString.Split('/').Last();
    }

    private Task WaitForProgressAsync(string id) =>
        Eventually.TrueAsync(async () => (await _stack.GetTitleAsync(id)) is { Status: TitleStatus.Transcoding, Progress: >= 3 }, TimeSpan.FromSeconds(30), "the encode did not start");
}
