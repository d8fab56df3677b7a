using Vod.Origin.Edges;
using Vod.Origin.Steering;

namespace Vod.Origin.Tests.Steering;

public class SteeringPolicyTests
{
    private static EdgeStatus Edge(string id, bool routable = true) =>
        new(id, $"http://{id}", routable, routable ? "up" : "down", null, DateTimeOffset.UnixEpoch, null, null, 0);

    private static readonly string[] Titles = Enumerable.Range(0, 300).Select(i => $"title{i:D7}").ToArray();

    [Fact]
    public void Order_SameInputs_SameOrderWhateverTheInputOrder()
    {
        EdgeStatus[] fleet = [Edge("e1"), Edge("e2"), Edge("e3"), Edge("e4")];

        foreach (var title in Titles.Take(20))
        {
            Assert.Equal(
                SteeringPolicy.Order(title, fleet).Select(e => e.Id),
                SteeringPolicy.Order(title, fleet.Reverse()).Select(e => e.Id));
        }
    }

    [Fact]
    public void Order_UnroutableEdge_ComesLastEvenWhenItWouldWin()
    {
        foreach (var title in Titles.Take(50))
        {
            var healthy = SteeringPolicy.Order(title, [Edge("e1"), Edge("e2"), Edge("e3")]);
            var winner = healthy[0].Id;

            var order = SteeringPolicy.Order(title, [Edge("e1", winner != "e1"), Edge("e2", winner != "e2"), Edge("e3", winner != "e3")]);

            Assert.Equal(winner, order[^1].Id);
            Assert.False(order[^1].Routable);
        }
    }

    [Fact]
    public void Order_ManyTitles_SpreadsFirstChoicesOverTheFleet()
    {
        EdgeStatus[] fleet = [Edge("e1"), Edge("e2"), Edge("e3")];

        var firsts = Titles.GroupBy(t => SteeringPolicy.Order(t, fleet)[0].Id).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(3, firsts.Count);
        Assert.All(firsts.Values, n => Assert.InRange(n, 60, 140)); // 100 each in expectation
    }

    [Fact]
    public void Order_EdgeRemoved_MovesOnlyTheTitlesThatPreferredIt()
    {
        EdgeStatus[] fleet = [Edge("e1"), Edge("e2"), Edge("e3"), Edge("e4")];
        EdgeStatus[] withoutE4 = [Edge("e1"), Edge("e2"), Edge("e3")];

        foreach (var title in Titles)
        {
            var before = SteeringPolicy.Order(title, fleet)[0].Id;
            var after = SteeringPolicy.Order(title, withoutE4)[0].Id;
            if (before != "e4")
            {
                Assert.Equal(before, after);
            }
        }
    }
}
