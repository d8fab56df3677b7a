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
            Subtitles = [SubtitleTrackInfo.Create("sub1", "pt-BR", "Português (Brasil)", uploaded: true)],
        };

        await _store.WriteTitleAsync(title);
        var read = await _store.ReadTitleAsync(title.Id);

        Assert.NotNull(read);
        Assert.Equal(title.Renditions, read.Renditions);
        Assert.Equal(title.Audio, read.Audio);
        Assert.Equal(title.Subtitles, read.Subtitles);
        Assert.Equal(title, read with { Renditions = title.Renditions, Audio = title.Audio, Subtitles = title.Subtitles });
    }

    [Fact]
    public async Task PublishDerivedAsync_SharesTheKeptFilesByHardLink_AddsTheStagedOnes_AndLeavesTheBaseAsItWas()
    {
        var title = NewTitle(Monday);
        await _store.WriteTitleAsync(title);
        var first = Staged(("360p/media.mp4", "video"), ("360p/index.m3u8", "#EXTM3U"), ("subtitles/sub1.vtt", "WEBVTT one"), ("subtitles/sub1.m3u8", "#EXTM3U one"));
        var baseVersion = await _store.PublishAsync(title.Id, first);
        Assert.NotNull(baseVersion);
        await Task.Delay(5); // version names are milliseconds

        var edit = Staged(("subtitles/sub2.vtt", "WEBVTT two"), ("subtitles/sub2.m3u8", "#EXTM3U two"), ("360p/index.m3u8", "#EXTM3U replaced"));
        var derived = await _store.PublishDerivedAsync(title.Id, baseVersion, edit, ["subtitles/sub1.vtt", "subtitles/sub1.m3u8"]);

        Assert.NotNull(derived);
        Assert.NotEqual(baseVersion, derived);
        Assert.False(Directory.Exists(edit));
        var derivedDirectory = Path.Combine(_store.Titles, title.Id, derived);
        Assert.Equal(["360p/index.m3u8", "360p/media.mp4", "subtitles/sub2.m3u8", "subtitles/sub2.vtt"], Files(derivedDirectory));
        Assert.Equal("#EXTM3U replaced", await _store.ReadPublishedTextAsync(title.Id, derived, "360p/index.m3u8"));
        Assert.Equal("WEBVTT two", await _store.ReadPublishedTextAsync(title.Id, derived, "subtitles/sub2.vtt"));
        var baseDirectory = Path.Combine(_store.Titles, title.Id, baseVersion);
        Assert.Equal(["360p/index.m3u8", "360p/media.mp4", "subtitles/sub1.m3u8", "subtitles/sub1.vtt"], Files(baseDirectory));
        Assert.Equal("#EXTM3U", await _store.ReadPublishedTextAsync(title.Id, baseVersion, "360p/index.m3u8"));
        Assert.Equal(Inode(Path.Combine(baseDirectory, "360p/media.mp4")), Inode(Path.Combine(derivedDirectory, "360p/media.mp4")));
    }

    [Fact]
    public async Task PublishDerivedAsync_BaseVersionGone_ReturnsNullAndDropsTheStaging()
    {
        var title = NewTitle(Monday);
        await _store.WriteTitleAsync(title);
        var edit = Staged(("subtitles/sub1.vtt", "WEBVTT"));

        Assert.Null(await _store.PublishDerivedAsync(title.Id, "v20250303000000000", edit, []));
        Assert.False(Directory.Exists(edit));
        Assert.Equal(["title.json"], Directory.EnumerateFileSystemEntries(Path.Combine(_store.Titles, title.Id)).Select(Path.GetFileName));
    }

    private string Staged(params (string Path, string Text)[] files)
    {
        var directory = Path.Combine(_store.Staging, Guid.NewGuid().ToString("N"));
        foreach (var (path, text) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(directory, path))!);
            File.WriteAllText(Path.Combine(directory, path), text);
        }

        return directory;
    }

    private static List<string> Files(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory, f)).Order(StringComparer.Ordinal)];

    /// <summary>The file's inode number (<c>stat -c %i</c>): two names with one inode are one file.</summary>
    private static string Inode(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var inode = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return inode;
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
