using Vod.Common.Fleet;

namespace Vod.Common.Tests.Fleet;

public class FleetUrlTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5201")]
    [InlineData("https://edge-1.example.net")]
    [InlineData("https://cdn.example.net:8443/vod")]
    [InlineData("http://[::1]:5201")]
    public void IsValid_PlainHttpBaseUrl_IsTrue(string url) => Assert.True(FleetUrl.IsValid(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("edge-1.example.net")] // not absolute
    [InlineData("/titles")]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://edge.example.net")]
    [InlineData("http://evil/\"")] // ends the quoted attribute next to it
    [InlineData("http://evil/'")]
    [InlineData("http://edge.example.net\n#EXT-X-STREAM-INF:BANDWIDTH=1")] // a new playlist line
    [InlineData("http://edge.example.net\r")]
    [InlineData("http://edge.example.net/\u0000")]
    [InlineData("http://user:pass@edge.example.net")] // user info
    [InlineData("http://edge.example.net@evil.example")]
    [InlineData("http://edge.example.net/?x=1")] // query
    [InlineData("http://edge.example.net/#x")] // fragment
    [InlineData("http://edge.example.net,http://evil")] // comma
    [InlineData("http://edge.example.net /x")] // space
    [InlineData("http:\\\\evil.example")]
    [InlineData("http://edge.example.net/<script>")]
    [InlineData("http://édge.example.net")] // non-ASCII: announce the punycode form
    public void IsValid_AnythingElse_IsFalse(string? url) => Assert.False(FleetUrl.IsValid(url));

    [Fact]
    public void IsValid_LongerThanTheLimit_IsFalse() =>
        Assert.False(FleetUrl.IsValid("http://edge.example.net/" + new string('a', FleetUrl.MaxLength)));

    [Fact]
    public void Host_MixedCase_IsLowerCase() => Assert.Equal("edge.example.net", FleetUrl.Host("http://EDGE.Example.NET:8080/x"));
}
