using Vod.Common.Fleet;
using Vod.Origin.Origins;

namespace Vod.Origin.Tests.Origins;

public class OriginIdentityTests
{
    [Theory]
    [InlineData("vm", 42, "origin-vm-42")]
    [InlineData("Build Host#7", 1234, "origin-build-host-7-1234")]
    [InlineData("a-very-long-machine-name-from-a-container-orchestrator", 4194304, "origin-a-very-long-machi-4194304")]
    public void DefaultId_AnyMachineName_IsAValidRegistryId(string machine, int pid, string expected)
    {
        var id = OriginIdentity.DefaultId(machine, pid);

        Assert.Equal(expected, id);
        Assert.True(OriginRegistry.IsValidId(id));
    }

    [Theory]
    [InlineData("http://0.0.0.0:5100", "http://127.0.0.1:5100")]
    [InlineData("http://[::]:5100", "http://127.0.0.1:5100")]
    [InlineData("http://+:5100", "http://127.0.0.1:5100")]
    [InlineData("http://*:5100", "http://127.0.0.1:5100")]
    [InlineData("http://127.0.0.1:40123", "http://127.0.0.1:40123")]
    public void PublicUrl_NotConfigured_FirstBoundAddressWithWildcardsAsLoopback(string bound, string expected)
    {
        Assert.Equal(expected, OriginIdentity.PublicUrl(null, [bound, "http://10.0.0.1:9999"]));
    }

    [Fact]
    public void PublicUrl_Configured_WinsOverTheBoundAddress()
    {
        Assert.Equal("https://vod.example.com", OriginIdentity.PublicUrl("https://vod.example.com/", ["http://0.0.0.0:5100"]));
    }
}
