using Vod.Origin.Steering;

namespace Vod.Origin.Tests.Steering;

/// <summary>What DASH players put in a steering request, read as one pathway and one throughput.</summary>
public class DashReportTests
{
    [Theory]
    [InlineData("\"edge-1,edge-2\"", "4000000,5000000", "edge-2", 5_000_000L)] // dash.js: the pathways used since the last request, current last
    [InlineData("\"edge-1\"", "", "edge-1", null)] // dash.js's first request: no throughput yet
    [InlineData("edge-2", "3500000", "edge-2", 3_500_000L)] // Shaka Player: one of each, unquoted
    [InlineData("\"\"", "x", null, null)]
    [InlineData("edge-1", "-5", "edge-1", null)]
    public void DashReport_TakesTheLastEntryOfEachList(string pathways, string throughputs, string? pathway, long? throughput)
    {
        Assert.Equal((pathway, throughput), SteeringEndpoints.DashReport(pathways, throughputs));
    }
}
