using Vod.Common.Fleet;

namespace Vod.Common.Tests.Fleet;

public class FleetKeyTests
{
    private const string Key = "fleet-key-0123456789-0123456789-01";

    [Fact]
    public void Verify_ItsOwnSignature_IsTrue()
    {
        var key = new FleetKey(Key);

        Assert.True(key.Verify("edge\nedge-1", key.Sign("edge\nedge-1")));
    }

    [Fact]
    public void Verify_OtherTextOrOtherKeyOrNoSignature_IsFalse()
    {
        var key = new FleetKey(Key);
        var signature = key.Sign("edge\nedge-1");

        Assert.False(key.Verify("edge\nedge-2", signature));
        Assert.False(new FleetKey(Key + "x").Verify("edge\nedge-1", signature));
        Assert.False(key.Verify("edge\nedge-1", null));
        Assert.False(key.Verify("edge\nedge-1", ""));
    }

    [Fact]
    public void Verify_AnotherSpellingOfTheSameMac_IsFalse()
    {
        // 32 bytes take 43 base64url characters, whose last carries 2 unused bits: a lenient decoder reads several
        // strings as one MAC. Only the canonical encoding verifies.
        var key = new FleetKey(Key);
        var signature = key.Sign("edge\nedge-1");
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var last = alphabet.IndexOf(signature[^1], StringComparison.Ordinal);
        var sibling = signature[..^1] + alphabet[last ^ 1];

        Assert.Equal(43, signature.Length);
        Assert.False(key.Verify("edge\nedge-1", sibling));
        Assert.False(key.Verify("edge\nedge-1", signature + "="));
    }

    [Theory]
    [InlineData("")]
    [InlineData("short-key")]
    [InlineData("0123456789012345678901234567890")] // 31
    public void New_ShortKey_Throws(string key) => Assert.ThrowsAny<ArgumentException>(() => new FleetKey(key));

    [Fact]
    public void Options_ShortKey_FailValidation_EmptyKeyIsOff()
    {
        var shortKey = new FleetKeyOptions { Key = "short" };
        var empty = new FleetKeyOptions { Key = "" };

        Assert.NotEmpty(shortKey.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(shortKey)));
        Assert.Empty(empty.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(empty)));
        Assert.Null(FleetKey.From(empty));
    }
}
