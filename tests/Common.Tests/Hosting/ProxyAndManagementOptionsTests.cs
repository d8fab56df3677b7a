using System.ComponentModel.DataAnnotations;
using System.Net;
using Vod.ServiceDefaults;

namespace Vod.Common.Tests.Hosting;

public sealed class ProxyAndManagementOptionsTests
{
    private static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Theory]
    [InlineData("10.0.0.5", "10.0.0.5", "10.0.0.6")]
    [InlineData("10.0.0.0/24, 192.0.2.7", "10.0.0.200", "10.0.1.1")]
    [InlineData("10.0.0.1/24", "10.0.0.77", "10.0.1.1")] // the network of that address
    [InlineData("fd00::/8", "fd12::1", "fe80::1")]
    [InlineData("::ffff:10.0.0.5", "10.0.0.5", "10.0.0.4")]
    public void Networks_AddressesAndCidrs_ContainTheirProxiesOnly(string configured, string inside, string outside)
    {
        var networks = new ProxyOptions { KnownProxies = configured }.Networks();

        Assert.Contains(networks, n => n.Contains(IPAddress.Parse(inside)));
        Assert.DoesNotContain(networks, n => n.Contains(IPAddress.Parse(outside)));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("10.0.0.1, 10.1.0.0/16", true)]
    [InlineData("proxy.internal", false)]
    [InlineData("10.0.0.0/33", false)]
    public void Validate_KnownProxies_RefusesWhatIsNotAnAddressOrNetwork(string? configured, bool valid)
    {
        Assert.Equal(valid, Validate(new ProxyOptions { KnownProxies = configured }).Count == 0);
    }

    [Theory]
    [InlineData(null, true, new int[0])]
    [InlineData("http://127.0.0.1:9100", true, new[] { 9100 })]
    [InlineData("http://127.0.0.1:9100;http://[::1]:9101", true, new[] { 9100, 9101 })]
    [InlineData("http://*:9100", true, new[] { 9100 })]
    [InlineData("http://127.0.0.1:0", false, new int[0])]
    [InlineData("http://127.0.0.1", false, new int[0])]
    [InlineData("ftp://127.0.0.1:21", false, new int[0])]
    public void Validate_ManagementUrls_NeedAnExplicitPort(string? urls, bool valid, int[] ports)
    {
        var options = new ManagementOptions { Urls = urls };

        Assert.Equal(valid, Validate(options).Count == 0);
        Assert.Equal(ports.Order(), options.Ports().Order());
    }
}
