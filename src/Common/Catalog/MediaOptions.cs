using System.ComponentModel.DataAnnotations;

namespace Vod.Common.Catalog;

public sealed class MediaOptions
{
    public const string Section = "Media";

    /// <summary>The media root: <c>uploads/</c>, <c>staging/</c> and <c>titles/</c> live below it, on one file system.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public string Root { get; set; } = "media";
}
