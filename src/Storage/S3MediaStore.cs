using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Common.Webhooks;

namespace Vod.Storage;

/// <summary>
/// The media store as an S3-compatible bucket (AWS S3, MinIO, Ceph, Swift s3api), so that origins and transcoders on
/// any host share nothing but Redis and the bucket:
/// <code>
/// catalog/{id}.json             the catalog entry (source of truth), replaced by one PUT
/// uploads/{id}.{ext}            the uploaded source
/// titles/{id}/{version}/...     a published version (the same paths as on disk, served by the origin)
/// </code>
/// There is no rename in S3, so publishing writes every object of the version first and the caller then points the
/// catalog entry at it: until that one PUT, nothing references the version, and a reader sees the old version or the new
/// one, never half of one. A writer that dies leaves only objects nothing references, which <see cref="SweepAsync"/>
/// removes once they are older than <see cref="MediaStoreOptions.SweepAfter"/>. Large files go up in parts
/// (<see cref="S3StoreOptions.PartSize"/>), several at once.
/// </summary>
public sealed partial class S3MediaStore : IMediaStore, IPartialUploadStore, IDisposable
{
    public const string CatalogPrefix = "catalog/";
    public const string UploadsPrefix = "uploads/";
    public const string TitlesPrefix = "titles/";

    /// <summary>Webhook registrations, <c>webhooks/{id}.json</c>; the sweeper never looks here.</summary>
    public const string WebhooksPrefix = "webhooks/";
    private const int Parallelism = 4;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly S3StoreOptions _options;
    private readonly TimeProvider _time;
    private readonly Lazy<IAmazonS3> _client;

    /// <summary>Catalog entries by key, with the ETag they were read at: a listing only fetches the entries that changed.</summary>
    private readonly ConcurrentDictionary<string, (string ETag, Title? Title)> _catalog = new(StringComparer.Ordinal);

    public S3MediaStore(IOptions<MediaStoreOptions> options, TimeProvider time)
    {
        _options = options.Value.S3;
        _time = time;
        Scratch = new MediaScratch(options.Value.Root);
        _client = new Lazy<IAmazonS3>(() => CreateClient(_options));
    }

    public MediaScratch Scratch { get; }

    public string Bucket => _options.Bucket;

    private IAmazonS3 Client => _client.Value;

    /// <summary>
    /// A client for S3 and the servers that speak it: path-style when asked, checksums only where the API requires them
    /// (S3-compatible servers do not all know the newer checksum headers).
    /// </summary>
    public static IAmazonS3 CreateClient(S3StoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromSeconds(30),
            MaxErrorRetry = 2,
        };
        return new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    public static string CatalogKey(string id) => CatalogPrefix + id + ".json";

    public static string SourceKey(string source) => UploadsPrefix + source;

    /// <summary>The object of a media file, from its path below <c>/titles/</c> (<c>{id}/{version}/...</c>).</summary>
    public static string MediaKey(string relativePath) => TitlesPrefix + relativePath;

    public async Task<Title?> ReadTitleAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await Client.GetObjectAsync(Bucket, CatalogKey(id), cancellationToken);
            return await JsonSerializer.DeserializeAsync<Title>(response.ResponseStream, Json, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task WriteTitleAsync(Title title, CancellationToken cancellationToken = default) =>
        PutJsonAsync(CatalogKey(title.Id), title, cancellationToken);

    /// <summary>One PUT of a small JSON document: a reader sees the old object or the new one.</summary>
    private async Task PutJsonAsync<T>(string key, T value, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(value, Json), writable: false);
        await Client.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = Bucket,
                Key = key,
                InputStream = stream,
                ContentType = "application/json",
                UseChunkEncoding = false,
            },
            cancellationToken);
    }

    /// <summary>One listing of <c>catalog/</c>, then a GET of each entry whose ETag changed since the last listing.</summary>
    public async Task<IReadOnlyList<Title>> ListTitlesAsync(CancellationToken cancellationToken = default)
    {
        var listed = await ListAsync(CatalogPrefix, cancellationToken);
        var keys = listed.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _catalog.Keys.Where(k => !keys.Contains(k)))
        {
            _catalog.TryRemove(gone, out _);
        }

        await Parallel.ForEachAsync(
            listed.Where(o => !_catalog.TryGetValue(o.Key, out var known) || known.ETag != o.ETag),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (entry, ct) =>
            {
                try
                {
                    using var response = await Client.GetObjectAsync(Bucket, entry.Key, ct);
                    var title = await JsonSerializer.DeserializeAsync<Title>(response.ResponseStream, Json, ct);
                    _catalog[entry.Key] = (response.ETag, title is not null && CatalogKey(title.Id) == entry.Key ? title : null);
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    _catalog.TryRemove(entry.Key, out _); // deleted since the listing
                }
                catch (JsonException)
                {
                    _catalog[entry.Key] = (entry.ETag, null); // a corrupt entry must not hide the rest of the catalog
                }
            });

        var titles = listed.Select(o => _catalog.TryGetValue(o.Key, out var known) ? known.Title : null).OfType<Title>().ToList();
        titles.Sort((a, b) => b.CreatedAt.CompareTo(a.CreatedAt));
        return titles;
    }

    /// <summary>The catalog entry goes first (the title vanishes in one step), then the versions and the source.</summary>
    public async Task<bool> DeleteTitleAsync(Title title, CancellationToken cancellationToken = default)
    {
        if (await ReadTitleAsync(title.Id, cancellationToken) is null)
        {
            return false;
        }

        await Client.DeleteObjectAsync(Bucket, CatalogKey(title.Id), cancellationToken);
        await DeleteAsync((await ListAsync(TitlesPrefix + title.Id + "/", cancellationToken)).Select(o => o.Key), cancellationToken);
        if (MediaPath.IsSafeSegment(title.Source))
        {
            await Client.DeleteObjectAsync(Bucket, SourceKey(title.Source), cancellationToken);
        }

        return true;
    }

    public async Task StoreSourceAsync(string localFile, string source, CancellationToken cancellationToken = default)
    {
        await UploadFileAsync(localFile, SourceKey(source), "application/octet-stream", cancellationToken);
        File.Delete(localFile);
    }

    public Task DeleteSourceAsync(string source, CancellationToken cancellationToken = default) =>
        Client.DeleteObjectAsync(Bucket, SourceKey(source), cancellationToken);

    /// <summary>Downloads the source into scratch (ffmpeg reads a local file: seeking over HTTP would fetch it many times).</summary>
    public async Task<LocalSource?> FetchSourceAsync(string source, string scratchDirectory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(scratchDirectory);
        var path = Path.Combine(scratchDirectory, $"source-{Guid.NewGuid():N}{Path.GetExtension(source)}");
        try
        {
            using var response = await Client.GetObjectAsync(Bucket, SourceKey(source), cancellationToken);
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await response.ResponseStream.CopyToAsync(file, 1 << 16, cancellationToken);
            }

            return new LocalSource(path, temporary: true);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// Uploads every file of the staging directory under <c>titles/{id}/{version}/</c>. If the title was deleted meanwhile
    /// (checked before and after), the uploaded objects are removed again and the answer is null.
    /// </summary>
    public Task<string?> PublishAsync(string titleId, string stagingDirectory, CancellationToken cancellationToken = default) =>
        PublishAsync(titleId, stagingDirectory, copies: [], cancellationToken);

    /// <summary>
    /// Copies the base version's objects that the edit keeps to the new version inside the bucket (the server copies:
    /// nothing goes through this process), beside the staging directory's files, which are uploaded.
    /// </summary>
    public async Task<string?> PublishDerivedAsync(string titleId, string baseVersion, string stagingDirectory, IReadOnlyCollection<string> without, CancellationToken cancellationToken = default)
    {
        var basePrefix = TitlesPrefix + titleId + "/" + baseVersion + "/";
        var staged = Directory.EnumerateFiles(stagingDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(stagingDirectory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .ToHashSet(StringComparer.Ordinal);
        var objects = MediaPath.IsSafeSegment(baseVersion) ? await ListAsync(basePrefix, cancellationToken) : [];
        if (objects.Count == 0)
        {
            LocalMediaStore.DeleteDirectory(stagingDirectory);
            return null;
        }

        var copies = objects
            .Select(o => (o.Key, Relative: o.Key[basePrefix.Length..], o.Size))
            .Where(o => !without.Contains(o.Relative) && !staged.Contains(o.Relative))
            .ToList();
        return await PublishAsync(titleId, stagingDirectory, copies, cancellationToken);
    }

    /// <param name="copies">Objects already in the bucket that the version also holds, at their path relative to it.</param>
    private async Task<string?> PublishAsync(string titleId, string stagingDirectory, IReadOnlyList<(string Key, string Relative, long Size)> copies, CancellationToken cancellationToken)
    {
        try
        {
            if (await ReadTitleAsync(titleId, cancellationToken) is null)
            {
                return null;
            }

            var version = LocalMediaStore.NewVersion(_time);
            var prefix = TitlesPrefix + titleId + "/" + version + "/";
            var files = Directory.EnumerateFiles(stagingDirectory, "*", SearchOption.AllDirectories).ToList();
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(copies, parallel, async (copy, ct) => await CopyObjectAsync(copy.Key, prefix + copy.Relative, copy.Size, ct));
            await Parallel.ForEachAsync(
                files,
                parallel,
                async (file, ct) =>
                {
                    var relative = Path.GetRelativePath(stagingDirectory, file).Replace(Path.DirectorySeparatorChar, '/');
                    await UploadFileAsync(file, prefix + relative, HlsContentTypes.Instance.TryGetContentType(file, out var type) ? type : "application/octet-stream", ct);
                });

            if (await ReadTitleAsync(titleId, cancellationToken) is null)
            {
                await DeleteAsync((await ListAsync(prefix, cancellationToken)).Select(o => o.Key), cancellationToken);
                return null;
            }

            return version;
        }
        finally
        {
            LocalMediaStore.DeleteDirectory(stagingDirectory);
        }
    }

    public async Task<IReadOnlyList<WebhookEndpoint>> ListWebhooksAsync(CancellationToken cancellationToken = default)
    {
        var endpoints = new List<WebhookEndpoint>();
        foreach (var entry in await ListAsync(WebhooksPrefix, cancellationToken))
        {
            try
            {
                using var response = await Client.GetObjectAsync(Bucket, entry.Key, cancellationToken);
                if (await JsonSerializer.DeserializeAsync<WebhookEndpoint>(response.ResponseStream, Json, cancellationToken) is { } endpoint
                    && WebhookEndpoint.IsValidId(endpoint.Id) && entry.Key == WebhooksPrefix + endpoint.Id + ".json")
                {
                    endpoints.Add(endpoint);
                }
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                // deleted since the listing
            }
            catch (JsonException)
            {
                // a corrupt entry must not hide the others
            }
        }

        endpoints.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
        return endpoints;
    }

    public Task WriteWebhookAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken = default) =>
        PutJsonAsync(WebhooksPrefix + endpoint.Id + ".json", endpoint, cancellationToken);

    public async Task<bool> DeleteWebhookAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!WebhookEndpoint.IsValidId(id))
        {
            return false;
        }

        var key = WebhooksPrefix + id + ".json";
        try
        {
            _ = await Client.GetObjectMetadataAsync(Bucket, key, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await Client.DeleteObjectAsync(Bucket, key, cancellationToken);
        return true;
    }

    /// <summary>
    /// Removes, once older than <paramref name="olderThan"/>, every version the catalog does not point at (a dead
    /// transcoder's half-published version, a deleted title's remains, a superseded version) and every source no title
    /// names (an origin that died between storing the source and writing the entry).
    /// </summary>
    public async Task<int> SweepAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        var cutoff = _time.GetUtcNow() - olderThan;
        var titles = (await ListTitlesAsync(cancellationToken)).ToDictionary(t => t.Id, StringComparer.Ordinal);
        var doomed = new List<string>();

        // titles/{id}/{version}/...: a version is removed whole, and only when none of its objects is recent.
        foreach (var version in (await ListAsync(TitlesPrefix, cancellationToken)).GroupBy(o => VersionOf(o.Key)))
        {
            var (id, name) = version.Key;
            var referenced = titles.TryGetValue(id, out var title) && title.Version == name;
            if (!referenced && version.All(o => o.LastModified < cutoff))
            {
                doomed.AddRange(version.Select(o => o.Key));
            }
        }

        var sources = titles.Values.Select(t => SourceKey(t.Source)).ToHashSet(StringComparer.Ordinal);
        doomed.AddRange((await ListAsync(UploadsPrefix, cancellationToken)).Where(o => !sources.Contains(o.Key) && o.LastModified < cutoff).Select(o => o.Key));
        await DeleteAsync(doomed, cancellationToken);
        return doomed.Count;
    }

    public async Task<string?> ReadPublishedTextAsync(string titleId, string version, string path, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await Client.GetObjectAsync(Bucket, MediaKey($"{titleId}/{version}/{path}"), cancellationToken);
            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A media object's size, ETag and date; null when there is no such object.</summary>
    public async Task<StoredObject?> GetMetadataAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await Client.GetObjectMetadataAsync(Bucket, key, cancellationToken);
            return new StoredObject(response.ContentLength, response.ETag, response.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.UnixEpoch);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Bytes <paramref name="from"/> to <paramref name="from"/> + <paramref name="length"/> - 1 of the object, only if it
    /// still has <paramref name="etag"/>; null when it is gone or was replaced (the caller's metadata is stale).
    /// </summary>
    public async Task<GetObjectResponse?> OpenAsync(string key, long from, long length, string etag, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Client.GetObjectAsync(
                new GetObjectRequest
                {
                    BucketName = Bucket,
                    Key = key,
                    ByteRange = new ByteRange(from, from + length - 1),
                    EtagToMatch = etag,
                },
                cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed)
        {
            return null;
        }
    }

    /// <summary>Whether the bucket answers (a one-key listing): the store's readiness.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken = default) =>
        await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = CatalogPrefix, MaxKeys = 1 }, cancellationToken);

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    private static (string Id, string Version) VersionOf(string key)
    {
        var parts = key[TitlesPrefix.Length..].Split('/', 3);
        return (parts[0], parts.Length > 2 ? parts[1] : "");
    }

    private async Task<List<ListedObject>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var objects = new List<ListedObject>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        while (true)
        {
            var page = await Client.ListObjectsV2Async(request, cancellationToken);
            foreach (var o in page.S3Objects ?? [])
            {
                objects.Add(new ListedObject(o.Key, o.ETag, o.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue, o.Size ?? 0));
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                return objects;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>
    /// One DELETE per object, several at once. (The batch DeleteObjects call needs a Content-MD5 that some S3-compatible
    /// servers insist on and the SDK no longer sends.)
    /// </summary>
    private Task DeleteAsync(IEnumerable<string> keys, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            keys,
            new ParallelOptions { MaxDegreeOfParallelism = 2 * Parallelism, CancellationToken = cancellationToken },
            async (key, ct) => await Client.DeleteObjectAsync(Bucket, key, ct));

    /// <summary>
    /// A copy inside the bucket: one COPY for an object under <see cref="S3StoreOptions.PartSize"/>, else a multipart
    /// upload of copied parts (a single COPY stops at 5 GiB).
    /// </summary>
    private async Task CopyObjectAsync(string from, string to, long size, CancellationToken cancellationToken)
    {
        if (size < _options.PartSize)
        {
            await Client.CopyObjectAsync(
                new CopyObjectRequest { SourceBucket = Bucket, SourceKey = from, DestinationBucket = Bucket, DestinationKey = to },
                cancellationToken);
            return;
        }

        await MultipartAsync(to, HlsContentTypes.Instance.TryGetContentType(to, out var type) ? type : "application/octet-stream", size, async (upload, part, first, length, ct) =>
            (await Client.CopyPartAsync(
                new CopyPartRequest
                {
                    SourceBucket = Bucket,
                    SourceKey = from,
                    DestinationBucket = Bucket,
                    DestinationKey = to,
                    UploadId = upload,
                    PartNumber = part,
                    FirstByte = first,
                    LastByte = first + length - 1,
                },
                ct)).ETag, cancellationToken);
    }

    /// <summary>One PUT for a small file; for one of <see cref="S3StoreOptions.PartSize"/> or more, a multipart upload.</summary>
    private async Task UploadFileAsync(string path, string key, string contentType, CancellationToken cancellationToken)
    {
        var size = new FileInfo(path).Length;
        if (size < _options.PartSize)
        {
            await Client.PutObjectAsync(
                new PutObjectRequest { BucketName = Bucket, Key = key, FilePath = path, ContentType = contentType, UseChunkEncoding = false },
                cancellationToken);
            return;
        }

        await MultipartAsync(key, contentType, size, async (upload, part, first, length, ct) =>
            (await Client.UploadPartAsync(
                new UploadPartRequest
                {
                    BucketName = Bucket,
                    Key = key,
                    UploadId = upload,
                    PartNumber = part,
                    FilePath = path,
                    FilePosition = first,
                    PartSize = length,
                    UseChunkEncoding = false,
                },
                ct)).ETag, cancellationToken);
    }

    /// <summary>
    /// A multipart upload of <paramref name="size"/> bytes in parts of <see cref="S3StoreOptions.PartSize"/>, several
    /// at once, each written by <paramref name="writePart"/> (upload id, part number, first byte, length; returns the
    /// part's ETag). Aborted on any failure, so no half object and no orphaned parts remain.
    /// </summary>
    private async Task MultipartAsync(string key, string contentType, long size, Func<string, int, long, long, CancellationToken, Task<string>> writePart, CancellationToken cancellationToken)
    {
        var upload = await Client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key, ContentType = contentType }, cancellationToken);
        try
        {
            var count = (int)((size + _options.PartSize - 1) / _options.PartSize);
            var parts = new PartETag[count];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, count),
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (index, ct) =>
                {
                    var first = index * _options.PartSize;
                    parts[index] = new PartETag(index + 1, await writePart(upload.UploadId, index + 1, first, Math.Min(_options.PartSize, size - first), ct));
                });
            await Client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = [.. parts] },
                cancellationToken);
        }
        catch
        {
            await Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            throw;
        }
    }

    private sealed record ListedObject(string Key, string ETag, DateTimeOffset LastModified, long Size);
}

/// <summary>What serving a media object needs to know before reading it.</summary>
public sealed record StoredObject(long Length, string ETag, DateTimeOffset LastModified);
