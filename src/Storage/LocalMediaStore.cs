using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Common.Webhooks;

namespace Vod.Storage;

/// <summary>
/// The media store as a directory, shared by the origin and the transcoders (the default):
/// <code>
/// uploads/{id}.{ext}            the uploaded source (written to uploads/.tmp-* first, then moved)
/// staging/{id}-{random}/        a transcode in progress, never served
/// titles/{id}/title.json        the catalog entry (source of truth)
/// titles/{id}/{version}/...     a published ladder, renamed in from staging/ in one step
/// </code>
/// Every write of title.json goes to a temp file and is renamed over the old one, so a reader never sees half a file.
/// </summary>
public sealed partial class LocalMediaStore : IMediaStore, IPartialUploadStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public LocalMediaStore(IOptions<MediaStoreOptions> options, TimeProvider time)
        : this(options.Value.Root, time)
    {
    }

    public LocalMediaStore(string root, TimeProvider? time = null)
    {
        Scratch = new MediaScratch(root);
        Time = time ?? TimeProvider.System;
        Titles = Path.Combine(Scratch.Root, "titles");
        Webhooks = Path.Combine(Scratch.Root, "webhooks");
    }

    public MediaScratch Scratch { get; }

    public string Root => Scratch.Root;

    /// <summary>The sources live where uploads are received, so storing one is a rename.</summary>
    public string Uploads => Scratch.Uploads;

    public string Staging => Scratch.Staging;

    /// <summary>The directory the origin serves <c>/titles/</c> from.</summary>
    public string Titles { get; }

    /// <summary>The webhook registrations, one <c>{id}.json</c> each (they hold signing secrets: mode 600).</summary>
    public string Webhooks { get; }

    private TimeProvider Time { get; }

    public void EnsureCreated()
    {
        Scratch.EnsureCreated();
        Directory.CreateDirectory(Titles);
    }

    /// <remarks>Callers pass ids that passed <see cref="TitleId.IsValid"/>.</remarks>
    public string TitleDirectory(string id) => Path.Combine(Titles, id);

    public string TitleFile(string id) => Path.Combine(Titles, id, "title.json");

    public async Task<Title?> ReadTitleAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var stream = File.OpenRead(TitleFile(id));
            return await JsonSerializer.DeserializeAsync<Title>(stream, Json, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task WriteTitleAsync(Title title, CancellationToken cancellationToken = default)
    {
        var directory = TitleDirectory(title.Id);
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".title-{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await JsonSerializer.SerializeAsync(stream, title, Json, cancellationToken);
            }

            File.Move(temp, TitleFile(title.Id), overwrite: true);
        }
        catch
        {
            // A new title whose entry could not be written (a full disk) leaves no empty directory behind.
            File.Delete(temp);
            if (!Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }

            throw;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Every title on disk, newest first. Directories without a readable title.json are skipped.</summary>
    public async Task<IReadOnlyList<Title>> ListTitlesAsync(CancellationToken cancellationToken = default)
    {
        var titles = new List<Title>();
        if (!Directory.Exists(Titles))
        {
            return titles;
        }

        foreach (var directory in Directory.EnumerateDirectories(Titles))
        {
            var id = Path.GetFileName(directory);
            if (!TitleId.IsValid(id))
            {
                continue;
            }

            try
            {
                if (await ReadTitleAsync(id, cancellationToken) is { } title)
                {
                    titles.Add(title);
                }
            }
            catch (JsonException)
            {
                // A corrupt entry must not hide the rest of the catalog.
            }
        }

        titles.Sort((a, b) => b.CreatedAt.CompareTo(a.CreatedAt));
        return titles;
    }

    public async Task<string?> ReadPublishedTextAsync(string titleId, string version, string path, CancellationToken cancellationToken = default)
    {
        try
        {
            return await File.ReadAllTextAsync(Path.Combine(TitleDirectory(titleId), version, path), cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The title directory is first renamed into staging/ so the title vanishes from the catalog and from serving
    /// in one step, then removed. A transcoder still working on it finds its title gone and drops its output.
    /// The rename is also the claim between concurrent deletes: only one can move the directory.
    /// </summary>
    public Task<bool> DeleteTitleAsync(Title title, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Staging);
        var doomed = Path.Combine(Staging, $"deleted-{title.Id}-{Guid.NewGuid():N}");
        try
        {
            Directory.Move(TitleDirectory(title.Id), doomed);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }

        Directory.Delete(doomed, recursive: true);
        if (MediaPath.IsSafeSegment(title.Source))
        {
            File.Delete(Path.Combine(Uploads, title.Source));
        }

        return Task.FromResult(true);
    }

    public Task StoreSourceAsync(string localFile, string source, CancellationToken cancellationToken = default)
    {
        File.Move(localFile, Path.Combine(Uploads, source));
        return Task.CompletedTask;
    }

    public Task DeleteSourceAsync(string source, CancellationToken cancellationToken = default)
    {
        File.Delete(Path.Combine(Uploads, source));
        return Task.CompletedTask;
    }

    public Task<LocalSource?> FetchSourceAsync(string source, string scratchDirectory, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(Uploads, source);
        return Task.FromResult(File.Exists(path) ? new LocalSource(path, temporary: false) : null);
    }

    /// <summary>
    /// Renames the staging directory (on the same file system) to a new version directory of the title: a player or an
    /// edge sees either no version or the whole version. Null when the title's directory is gone (deleted meanwhile).
    /// </summary>
    public Task<string?> PublishAsync(string titleId, string stagingDirectory, CancellationToken cancellationToken = default)
    {
        var version = NewVersion(Time);
        try
        {
            Directory.Move(stagingDirectory, Path.Combine(TitleDirectory(titleId), version));
            return Task.FromResult<string?>(version);
        }
        catch (DirectoryNotFoundException)
        {
            DeleteDirectory(stagingDirectory);
            return Task.FromResult<string?>(null);
        }
    }

    /// <summary>
    /// Hard-links every file of the base version that the edit keeps into the staging directory (same file system: no
    /// byte is copied, and the base's files never change, so sharing them is safe), then publishes it by rename.
    /// </summary>
    public Task<string?> PublishDerivedAsync(string titleId, string baseVersion, string stagingDirectory, IReadOnlyCollection<string> without, CancellationToken cancellationToken = default)
    {
        var source = Path.Combine(TitleDirectory(titleId), baseVersion);
        if (!MediaPath.IsSafeSegment(baseVersion) || !Directory.Exists(source))
        {
            DeleteDirectory(stagingDirectory);
            return Task.FromResult<string?>(null);
        }

        try
        {
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(source, file).Replace(Path.DirectorySeparatorChar, '/');
                var target = Path.Combine(stagingDirectory, relative);
                if (!without.Contains(relative) && !File.Exists(target))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    HardLink.CreateOrCopy(file, target);
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            DeleteDirectory(stagingDirectory); // the title was deleted meanwhile
            return Task.FromResult<string?>(null);
        }

        return PublishAsync(titleId, stagingDirectory, cancellationToken);
    }

    /// <summary>
    /// Nothing to do at the store level: a version only enters titles/ by a whole rename, and what a dead transcoder
    /// leaves is a staging directory, which the transcoders' staging sweep removes. Superseded versions stay on disk.
    /// </summary>
    public Task<int> SweepAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) => Task.FromResult(0);

    public async Task<IReadOnlyList<WebhookEndpoint>> ListWebhooksAsync(CancellationToken cancellationToken = default)
    {
        var endpoints = new List<WebhookEndpoint>();
        if (!Directory.Exists(Webhooks))
        {
            return endpoints;
        }

        foreach (var file in Directory.EnumerateFiles(Webhooks, "*.json"))
        {
            try
            {
                await using var stream = File.OpenRead(file);
                if (await JsonSerializer.DeserializeAsync<WebhookEndpoint>(stream, Json, cancellationToken) is { } endpoint
                    && WebhookEndpoint.IsValidId(endpoint.Id) && Path.GetFileNameWithoutExtension(file) == endpoint.Id)
                {
                    endpoints.Add(endpoint);
                }
            }
            catch (Exception e) when (e is JsonException or FileNotFoundException)
            {
                // A corrupt entry must not hide the others; one deleted since the listing is simply gone.
            }
        }

        endpoints.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
        return endpoints;
    }

    public async Task WriteWebhookAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Webhooks);
        var temp = Path.Combine(Webhooks, $".webhook-{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // it holds the signing secret
            }

            await using (var stream = new FileStream(temp, options))
            {
                await JsonSerializer.SerializeAsync(stream, endpoint, Json, cancellationToken);
            }

            File.Move(temp, Path.Combine(Webhooks, endpoint.Id + ".json"), overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public Task<bool> DeleteWebhookAsync(string id, CancellationToken cancellationToken = default)
    {
        var file = Path.Combine(Webhooks, id + ".json");
        if (!WebhookEndpoint.IsValidId(id) || !File.Exists(file))
        {
            return Task.FromResult(false);
        }

        File.Delete(file);
        return Task.FromResult(true);
    }

    /// <summary>A version name: its publishing time, so versions sort by age (<c>v20261130071500123</c>).</summary>
    public static string NewVersion(TimeProvider time) => "v" + time.GetUtcNow().ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    public static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
