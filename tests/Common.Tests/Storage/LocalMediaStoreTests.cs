using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Storage;

namespace Vod.Common.Tests.Storage;

public sealed class LocalMediaStoreTests : IDisposable
{
    private static readonly DateTimeOffset Monday = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _temp = new();
    private readonly LocalMediaStore _store;

    public LocalMediaStoreTests()
    {
        _store = new LocalMediaStore(Path.Combine(_temp.Path, "media"));
        _store.EnsureCreated();
    }

    public void Dispose() => _temp.Dispose();

    private static Title NewTitle(DateTimeOffset createdAt, string? name = null)
    {
        var id = TitleId.New();
        return new Title
        {
            Id = id,
            Name = name ?? id,
            CreatedAt = createdAt,
            UpdatedAt = createdAt,
            Source = id + ".mp4",
        };
    }

    [Fact]
    public async Task ReadTitleAsync_AfterWrite_ReturnsEveryField()
    {
        var title = NewTitle(Monday, "Big Buck Bunny") with
        {
            Status = TitleStatus.Ready,
            Progress = 100,
            UpdatedAt = Monday.AddMinutes(3),
            Version = "v20250303-1",
            DurationSeconds = 596.458,
            Renditions =
            [
                new RenditionInfo("720p", 1280, 720, 3_400_000, 2_900_000, "avc1.64001f,mp4a.40.2", 24, "720p/index.m3u8"),
                new RenditionInfo("360p", 640, 360, 820_000, 700_000, "avc1.64001e", 24, "360p/index.m3u8") { Dash = new("media.mp4", "0-845", "846-981") },
            ],
            Audio = [new AudioRenditionInfo("audio2", 130_000, 128_000, "mp4a.40.2", 2, 48000, "audio2/index.m3u8") { Language = "fr", Label = "Français", Dash = new("media.mp4", "0-764", "765-900") }],
        };

        await _store.WriteTitleAsync(title);
        var read = await _store.ReadTitleAsync(title.Id);

        Assert.NotNull(read);
        Assert.Equal(title.Renditions, read.Renditions);
        Assert.Equal(title.Audio, read.Audio);
        Assert.Equal(title, read with { Renditions = title.Renditions, Audio = title.Audio });
    }

    [Fact]
    public async Task ReadTitleAsync_FailedTitle_KeepsStatusAndError()
    {
        var title = NewTitle(Monday) with { Status = TitleStatus.Failed, Error = "the file has no video stream" };

        await _store.WriteTitleAsync(title);
        var read = await _store.ReadTitleAsync(title.Id);

        Assert.Equal(TitleStatus.Failed, read?.Status);
        Assert.Equal("the file has no video stream", read?.Error);
    }

    [Fact]
    public async Task ReadTitleAsync_UnknownTitle_ReturnsNull()
    {
        Assert.Null(await _store.ReadTitleAsync(TitleId.New()));
    }

    [Fact]
    public async Task WriteTitleAsync_Twice_KeepsOnlyTheLatestAndNoTempFiles()
    {
        var title = NewTitle(Monday);

        await _store.WriteTitleAsync(title with { Status = TitleStatus.Transcoding, Progress = 40 });
        await _store.WriteTitleAsync(title with { Status = TitleStatus.Transcoding, Progress = 80 });

        Assert.Equal(80, (await _store.ReadTitleAsync(title.Id))?.Progress);
        Assert.Equal(["title.json"], Directory.GetFiles(_store.TitleDirectory(title.Id)).Select(Path.GetFileName));
    }

    [Fact]
    public async Task WriteTitleAsync_Cancelled_KeepsThePreviousTitleAndNoTempFiles()
    {
        var title = NewTitle(Monday);
        await _store.WriteTitleAsync(title with { Progress = 10 });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _store.WriteTitleAsync(title with { Progress = 20 }, new CancellationToken(canceled: true)));

        Assert.Equal(10, (await _store.ReadTitleAsync(title.Id))?.Progress);
        Assert.Equal(["title.json"], Directory.GetFiles(_store.TitleDirectory(title.Id)).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ListTitlesAsync_SeveralTitles_ReturnsNewestFirst()
    {
        var middle = NewTitle(Monday.AddDays(1));
        var oldest = NewTitle(Monday);
        var newest = NewTitle(Monday.AddDays(2));
        foreach (var title in new[] { middle, oldest, newest })
        {
            await _store.WriteTitleAsync(title);
        }

        var titles = await _store.ListTitlesAsync();

        Assert.Equal([newest.Id, middle.Id, oldest.Id], titles.Select(t => t.Id));
    }

    [Fact]
    public async Task ListTitlesAsync_CorruptTitleJson_SkipsItAndListsTheRest()
    {
        var good = NewTitle(Monday);
        await _store.WriteTitleAsync(good);
        var corrupt = NewTitle(Monday.AddDays(1));
        await _store.WriteTitleAsync(corrupt);
        await File.WriteAllTextAsync(_store.TitleFile(corrupt.Id), "{\"id\": \"" + corrupt.Id + "\", \"name\": ");
        var empty = TitleId.New();
        Directory.CreateDirectory(_store.TitleDirectory(empty));
        await File.WriteAllTextAsync(_store.TitleFile(empty), "");

        var titles = await _store.ListTitlesAsync();

        Assert.Equal([good.Id], titles.Select(t => t.Id));
    }

    [Fact]
    public async Task ListTitlesAsync_DirectoriesThatAreNotTitleIds_AreSkipped()
    {
        var good = NewTitle(Monday);
        await _store.WriteTitleAsync(good);
        // A well-formed title.json in a directory whose name is not an id must not be listed.
        foreach (var name in new[] { "not-a-title", ".staging", "ABCDEFGH2345" })
        {
            var directory = Path.Combine(_store.Titles, name);
            Directory.CreateDirectory(directory);
            File.Copy(_store.TitleFile(good.Id), Path.Combine(directory, "title.json"));
        }

        Directory.CreateDirectory(_store.TitleDirectory(TitleId.New())); // an id without title.json

        var titles = await _store.ListTitlesAsync();

        Assert.Equal([good.Id], titles.Select(t => t.Id));
    }

    [Fact]
    public async Task ListTitlesAsync_NoTitlesDirectory_ReturnsEmpty()
    {
        var store = new LocalMediaStore(Path.Combine(_temp.Path, "never-created"));

        Assert.Empty(await store.ListTitlesAsync());
    }
}
