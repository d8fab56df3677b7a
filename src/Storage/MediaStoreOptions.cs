using System.ComponentModel.DataAnnotations;

namespace Vod.Storage;

public enum MediaStoreKind
{
    /// <summary>A directory on this machine (the default): one box, or a volume every origin and transcoder mounts.</summary>
    Local,

    /// <summary>An S3-compatible bucket: origins and transcoders on any host share nothing but Redis and the bucket.</summary>
    S3,
}

/// <summary>The <c>Media</c> section: where titles live.</summary>
public sealed class MediaStoreOptions : IValidatableObject
{
    public const string Section = "Media";

    public MediaStoreKind Store { get; set; } = MediaStoreKind.Local;

    /// <summary>
    /// With the local store, the media root: <c>uploads/</c>, <c>staging/</c> and <c>titles/</c> live below it, on one file
    /// system. With S3, only this process's scratch space (uploads being received, transcodes in progress).
    /// </summary>
    [Required]
    public string Root { get; set; } = "media";

    public S3StoreOptions S3 { get; set; } = new();

    /// <summary>
    /// How long a leftover (a version no catalog entry points at, a source without its title) stays before the sweeper
    /// removes it: long enough for a publish in progress and for players still on a superseded version.
    /// </summary>
    public TimeSpan SweepAfter { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SweepAfter < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Media:SweepAfter must be at least one second", [nameof(SweepAfter)]);
        }

        if (Store != MediaStoreKind.S3)
        {
            yield break;
        }

        if (!Uri.TryCreate(S3.ServiceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("Media:S3:ServiceUrl must be the http(s) URL of the S3 endpoint when Media:Store is S3", ["S3.ServiceUrl"]);
        }

        if (string.IsNullOrWhiteSpace(S3.Bucket) || S3.Bucket.Length is < 3 or > 63)
        {
            yield return new ValidationResult("Media:S3:Bucket must name an existing bucket (3 to 63 characters) when Media:Store is S3", ["S3.Bucket"]);
        }

        if (string.IsNullOrEmpty(S3.AccessKey) || string.IsNullOrEmpty(S3.SecretKey))
        {
            yield return new ValidationResult("Media:S3:AccessKey and Media:S3:SecretKey are required when Media:Store is S3", ["S3.AccessKey"]);
        }

        if (S3.PartSize < 5 << 20)
        {
            yield return new ValidationResult("Media:S3:PartSize must be at least 5 MiB (the S3 minimum for a multipart part)", ["S3.PartSize"]);
        }
    }
}

/// <summary>The <c>Media:S3</c> section.</summary>
public sealed class S3StoreOptions
{
    /// <summary>The endpoint, e.g. <c>https://s3.eu-west-1.amazonaws.com</c> or a MinIO/Swift/Ceph URL.</summary>
    public string ServiceUrl { get; set; } = "";

    public string Bucket { get; set; } = "";

    /// <summary>The signing region (must equal the server's location constraint; S3-compatible servers mostly use us-east-1).</summary>
    public string Region { get; set; } = "us-east-1";

    public string AccessKey { get; set; } = "";

    public string SecretKey { get; set; } = "";

    /// <summary>Path-style URLs (<c>endpoint/bucket/key</c>): what most S3-compatible servers need.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Files at least this large are uploaded in parts of this size (multipart), several at once.</summary>
    public long PartSize { get; set; } = 16 << 20;
}
