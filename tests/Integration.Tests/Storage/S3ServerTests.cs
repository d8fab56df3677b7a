using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Vod.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vod.Integration.Tests.Storage;

/// <summary>
/// The S3 server of the tests (<see cref="S3Server"/>, <c>scripts/s3-server.sh</c>) behaves as S3 does for what the
/// services need: exact bytes and ranges, ETags, signatures checked, multipart, listing, deletes, and data that
/// outlives a crash of the proxy. One Swift for the collection.
/// </summary>
[Collection(S3ServerDefinition.Name)]
public sealed class S3ServerTests : IAsyncLifetime
{
    private const string Bucket = "vod-s3-tests";

    private readonly S3Server _server;

    private readonly IAmazonS3 _client;

    public S3ServerTests(S3Server server, ITestOutputHelper output)
    {
        _server = server;
        _client = server.CreateClient();
        output.WriteLine($"Swift started in {server.StartUpTime.TotalSeconds:F1} s at {server.ServiceUrl}");
    }

    public Task InitializeAsync() => _server.CreateBucketAsync(Bucket);

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_ranged_get_returns_exactly_the_bytes_asked_for_with_206()
    {
        var body = RandomNumberGenerator.GetBytes(1024 * 1024 + 7);
        await PutAsync("range/object.bin", body);

        using var response = await _client.GetObjectAsync(new GetObjectRequest
        {
            BucketName = Bucket,
            Key = "range/object.bin",
            ByteRange = new ByteRange(1000, 300_999),
        });

        Assert.Equal(HttpStatusCode.PartialContent, response.HttpStatusCode);
        Assert.Equal(300_000, response.ContentLength);
        Assert.Equal($"bytes 1000-300999/{body.Length}", response.ContentRange);
        Assert.Equal(body.AsSpan(1000, 300_000).ToArray(), await ReadAllAsync(response));

        using var tail = await _client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "range/object.bin", ByteRange = new ByteRange("bytes=-7") });
        Assert.Equal(HttpStatusCode.PartialContent, tail.HttpStatusCode);
        Assert.Equal(body.AsSpan(body.Length - 7).ToArray(), await ReadAllAsync(tail));
    }

    [Fact]
    public async Task Head_gives_the_length_and_the_md5_etag()
    {
        var body = RandomNumberGenerator.GetBytes(123_457);
        await PutAsync("head/object.bin", body, contentType: "video/mp4");

        var metadata = await _client.GetObjectMetadataAsync(Bucket, "head/object.bin");

        Assert.Equal(body.Length, metadata.ContentLength);
#pragma warning disable CA5351 // an S3 ETag of a single-part object is the MD5 of its bytes: that is what is checked
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(body))}\"", metadata.ETag);
#pragma warning restore CA5351
        Assert.Equal("video/mp4", metadata.Headers.ContentType);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_with_SignatureDoesNotMatch()
    {
        using var client = _server.CreateClient(secretKey: "not-the-secret", config => config.MaxErrorRetry = 0);

        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket }));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", refused.ErrorCode);
    }

    [Fact]
    public async Task A_multipart_upload_of_12_MiB_in_5_MiB_parts_reads_back_byte_equal()
    {
        const string key = "multipart/object.bin";
        const int partSize = 5 * 1024 * 1024;
        var body = RandomNumberGenerator.GetBytes(12 * 1024 * 1024 + 321);

        var upload = await _client.InitiateMultipartUploadAsync(Bucket, key);
        var parts = new List<PartETag>();
        for (var (offset, number) = (0, 1); offset < body.Length; offset += partSize, number++)
        {
            var size = Math.Min(partSize, body.Length - offset);
            var part = await _client.UploadPartAsync(Part(key, upload.UploadId, number, body, offset, size));
            parts.Add(new PartETag(number, part.ETag));
        }

        var completed = await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = key,
            UploadId = upload.UploadId,
            PartETags = parts,
        });

        Assert.Equal(3, parts.Count);
        Assert.EndsWith("-3\"", completed.ETag, StringComparison.Ordinal);
        using var response = await _client.GetObjectAsync(Bucket, key);
        Assert.Equal(body.Length, response.ContentLength);
        Assert.Equal(body, await ReadAllAsync(response));
    }

    [Fact]
    public async Task ListObjectsV2_with_a_prefix_lists_only_that_prefix()
    {
        foreach (var key in new[] { "list/a/1.ts", "list/a/2.ts", "list/a/sub/3.ts", "list/b/1.ts" })
        {
            await PutAsync(key, [1, 2, 3]);
        }

        var all = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = "list/a/" });
        var shallow = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = "list/a/", Delimiter = "/" });

        Assert.Equal(["list/a/1.ts", "list/a/2.ts", "list/a/sub/3.ts"], all.S3Objects.Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["list/a/1.ts", "list/a/2.ts"], shallow.S3Objects.Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["list/a/sub/"], shallow.CommonPrefixes);
    }

    [Fact]
    public async Task A_deleted_object_is_NoSuchKey()
    {
        await PutAsync("delete/object.bin", [42]);

        await _client.DeleteObjectAsync(Bucket, "delete/object.bin");

        var missing = await Assert.ThrowsAsync<NoSuchKeyException>(() => _client.GetObjectAsync(Bucket, "delete/object.bin"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NoSuchKey", missing.ErrorCode);
    }

    [Fact]
    public async Task A_proxy_killed_mid_upload_fails_requests_and_once_it_is_back_the_data_and_the_upload_are_still_there()
    {
        var earlier = RandomNumberGenerator.GetBytes(200_000);
        await PutAsync("crash/earlier.bin", earlier);
        const string key = "crash/multipart.bin";
        const int partSize = 5 * 1024 * 1024;
        var body = RandomNumberGenerator.GetBytes(partSize + 100_000);
        var upload = await _client.InitiateMultipartUploadAsync(Bucket, key);
        var first = await _client.UploadPartAsync(Part(key, upload.UploadId, 1, body, 0, partSize));
        using var impatient = _server.CreateClient(configure: config =>
        {
            config.MaxErrorRetry = 0;
            config.Timeout = TimeSpan.FromSeconds(5);
        });

        _server.KillProxy();
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => impatient.UploadPartAsync(Part(key, upload.UploadId, 2, body, partSize, body.Length - partSize)));
            await Assert.ThrowsAnyAsync<Exception>(() => impatient.GetObjectMetadataAsync(Bucket, "crash/earlier.bin"));
        }
        finally
        {
            await _server.StartProxyAsync();
        }

        using (var response = await _client.GetObjectAsync(Bucket, "crash/earlier.bin"))
        {
            Assert.Equal(earlier, await ReadAllAsync(response));
        }

        // The multipart upload begun before the crash goes on: its first part was kept.
        var second = await _client.UploadPartAsync(Part(key, upload.UploadId, 2, body, partSize, body.Length - partSize));
        await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = key,
            UploadId = upload.UploadId,
            PartETags = [new PartETag(1, first.ETag), new PartETag(2, second.ETag)],
        });
        using var completed = await _client.GetObjectAsync(Bucket, key);
        Assert.Equal(body, await ReadAllAsync(completed));
    }

    private static UploadPartRequest Part(string key, string uploadId, int number, byte[] body, int offset, int size) => new()
    {
        BucketName = Bucket,
        Key = key,
        UploadId = uploadId,
        PartNumber = number,
        InputStream = new MemoryStream(body, offset, size),
        PartSize = size,
        UseChunkEncoding = false,   // Swift 2.30 takes no aws-chunked bodies
    };

    private async Task PutAsync(string key, byte[] body, string? contentType = null) =>
        await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket,
            Key = key,
            InputStream = new MemoryStream(body),
            ContentType = contentType,
            UseChunkEncoding = false,   // Swift 2.30 takes no aws-chunked bodies
        });

    private static async Task<byte[]> ReadAllAsync(GetObjectResponse response)
    {
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
