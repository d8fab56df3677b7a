using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vod.ServiceDefaults;

namespace Vod.Common.Catalog;

public static class MediaStoreExtensions
{
    /// <summary>The media root's options (validated at start) and the <see cref="MediaStore"/> over it.</summary>
    public static IServiceCollection AddMediaStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<MediaOptions>(configuration, MediaOptions.Section);
        services.AddSingleton<MediaStore>();
        return services;
    }
}

/// <summary>
/// The media root on disk, shared by the origin and the transcoders:
/// <code>
/// uploads/{id}.{ext}            the uploaded source (written to uploads/.tmp-* first, then moved)
/// staging/{id}-{random}/        a transcode in progress, never served
/// titles/{id}/title.json        the catalog entry (source of truth)
/// titles/{id}/{version}/...     a published ladder, renamed in from staging/ in one step
/// </code>
/// Every write of title.json goes to a temp file and is renamed over the old one, so a reader never sees half a file.
/// </summary>
public sealed class MediaStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public MediaStore(IOptions<MediaOptions> options)
        : this(options.Value.Root)
    {
    }

    public MediaStore(string root)
    {
        Root = Path.GetFullPath(root);
        Uploads = Path.Combine(Root, "uploads");
        Staging = Path.Combine(Root, "staging");
        Titles = Path.Combine(Root, "titles");
    }

    public string Root { get; }
    public string Uploads { get; }
    public string Staging { get; }
    public string Titles { get; }

    public void EnsureCreated()
    {
        Directory.CreateDirectory(Uploads);
        Directory.CreateDirectory(Staging);
        Directory.CreateDirectory(Titles);
    }

    /// <summary>Whether an I/O failure is the media store running out of space (ENOSPC), reported as such to users.</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException && (e.HResult is 28 or unchecked((int)0x80070070) || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase));

    /// <remarks>Callers pass ids that passed <see cref="Hls.TitleId.IsValid"/>.</remarks>
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
            if (!Hls.TitleId.IsValid(id))
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
}
