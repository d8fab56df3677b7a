using System.Net;
using Vod.Origin.Webhooks;

namespace Vod.Origin.Tests.Webhooks;

public sealed class WebhookTargetsTests
{
    private static readonly WebhookTargets Default = new(allowPrivate: false, []);

    [Theory]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "private")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.1.2.3", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fc00::1", "private")]
    [InlineData("fd12:3456::1", "private")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:127.0.0.1", "loopback")] // IPv4-mapped
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("64:ff9b::a00:1", "private")] // NAT64 of 10.0.0.1
    [InlineData("2002:a00:1::1", "private")] // 6to4 of 10.0.0.1
    public void Refusal_InternalAddress_IsRefusedWithItsKind(string address, string kind)
    {
        Assert.Equal(kind, WebhookTargets.Classify(IPAddress.Parse(address)));
        Assert.Contains($"is a {kind} address", Default.Refusal(IPAddress.Parse(address)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void Refusal_PublicAddress_IsAllowed(string address) => Assert.Null(Default.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("::1")]
    [InlineData("169.254.169.254")]
    public void Refusal_AllowPrivateTargets_AllowsEverything(string address) =>
        Assert.Null(new WebhookTargets(allowPrivate: true, []).Refusal(IPAddress.Parse(address)));

    [Fact]
    public void Refusal_AllowedNetworks_AllowOnlyTheirAddresses()
    {
        Assert.True(WebhookTargets.TryParseNetworks("127.0.0.0/8, fd00::/8", out var networks));
        var targets = new WebhookTargets(false, networks);
        Assert.Null(targets.Refusal(IPAddress.Parse("127.0.0.1")));
        Assert.Null(targets.Refusal(IPAddress.Parse("::ffff:127.0.0.1"))); // the mapped form of an allowed address
        Assert.Null(targets.Refusal(IPAddress.Parse("fd00::5")));
        Assert.NotNull(targets.Refusal(IPAddress.Parse("10.0.0.1")));
        Assert.NotNull(targets.Refusal(IPAddress.Parse("::1")));
    }

    [Fact]
    public void TryParseNetworks_Garbage_Fails() => Assert.False(WebhookTargets.TryParseNetworks("10.0.0.0/8,not-a-network", out _));

    [Theory]
    [InlineData("ftp://example.com/hook", "scheme")]
    [InlineData("file:///etc/passwd", "scheme")]
    [InlineData("/relative", "http or https")] // on Unix a path is a file: URI
    [InlineData("https://user:pw@example.com/", "user info")]
    [InlineData("http://10.0.0.1/hook", "private")]
    [InlineData("http://[::ffff:127.0.0.1]:8080/hook", "loopback")]
    [InlineData("http://[fe80::1]/hook", "link-local")]
    public void CheckUrl_BadTarget_SaysWhy(string url, string reason) =>
        Assert.Contains(reason, Default.CheckUrl(url, out _), StringComparison.Ordinal);

    [Fact]
    public void CheckUrl_PublicHttps_Passes()
    {
        Assert.Null(Default.CheckUrl("https://hooks.example.com/vod?x=1", out var uri));
        Assert.Equal("hooks.example.com", uri!.Host);
    }

    [Fact]
    public async Task CheckResolvedAsync_NameResolvingToLoopback_IsRefused()
    {
        Assert.Null(Default.CheckUrl("http://localhost:9/hook", out var uri));
        Assert.Contains("loopback", await Default.CheckResolvedAsync(uri!, CancellationToken.None), StringComparison.Ordinal);
    }
}
