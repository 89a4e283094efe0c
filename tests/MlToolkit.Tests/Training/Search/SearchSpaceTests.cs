using MlToolkit.Training;
using MlToolkit.Training.Search;

namespace MlToolkit.Tests.Training.Search;

public class SearchSpaceTests
{
    [Fact]
    public void IntRange_LogScale_StaysInBoundsAndSpreadsOverOrdersOfMagnitude()
    {
        var range = new IntRange("n", 1, 1000, log: true);
        var random = new Random(1);

        int[] draws = [.. Enumerable.Range(0, 4000).Select(_ => (int)range.Sample(random))];

        Assert.All(draws, d => Assert.InRange(d, 1, 1000));
        // About a third in each decade of a log-uniform draw over [1, 1000].
        Assert.InRange(draws.Count(d => d < 10), 1000, 1700);
        Assert.InRange(draws.Count(d => d >= 100), 1000, 1700);
        Assert.Equal([1, 32, 1000], range.Grid(3));
    }

    [Fact]
    public void DoubleRange_Grid_IsEvenOnItsScale()
    {
        Assert.Equal([0.001, 0.01, 0.1], new DoubleRange("lr", 0.001, 0.1, log: true).Grid(3).Cast<double>(), new Close());
        Assert.Equal([0.0, 0.5, 1.0], new DoubleRange("p", 0, 1).Grid(3).Cast<double>(), new Close());
        Assert.Throws<ArgumentOutOfRangeException>(() => new DoubleRange("bad", 0, 1, log: true));
    }

    [Fact]
    public void SearchSpace_CreateTrainer_SetsTheOptionsConvertingTypes()
    {
        Options? seen = null;
        SearchSpace<Options> space = new SearchSpace<Options>("Probe", MlTask.Regression, () => new Options { Untouched = 7 }, o => { seen = o; return Trainers.Regression.LightGbm(); })
            .Int(o => o.Leaves, 2, 10)
            .Double(o => o.Rate, 0.1, 0.5)
            .Double(o => o.Lambda, 1e-3, 1, log: true)
            .Choose(o => o.Mode, "a", "b");

        space.CreateTrainer(new Dictionary<string, object> { ["Leaves"] = 4, ["Rate"] = 0.25, ["Lambda"] = 0.01, ["Mode"] = "b" });

        Assert.Equal(4, seen!.Leaves);
        Assert.Equal(0.25, seen.Rate);
        Assert.Equal(0.01f, seen.Lambda);
        Assert.Equal("b", seen.Mode);
        Assert.Equal(7, seen.Untouched);
        Assert.Equal(["Leaves", "Rate", "Lambda", "Mode"], space.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void SearchSpace_ExpressionThatIsNotAnOption_IsRefused()
    {
        var space = new SearchSpace<Options>("Probe", MlTask.Regression, () => new Options(), _ => Trainers.Regression.LightGbm());

        Assert.Throws<ArgumentException>(() => space.Int(o => o.Leaves + 1, 1, 2));
        Assert.Throws<ArgumentException>(() => space.Int(o => o.Leaves, 1, 2).Int(o => o.Leaves, 1, 3));
    }

    [Fact]
    public void DefaultSpaces_EveryBuiltInTrainerHasOneThatCreatesATrainer()
    {
        foreach (MlTask task in (MlTask[])[MlTask.BinaryClassification, MlTask.MulticlassClassification, MlTask.Regression])
        {
            foreach (ISearchSpace space in SearchSpaces.All(task))
            {
                var random = new Random(2);
                ITrainer trainer = space.CreateTrainer(space.Parameters.ToDictionary(p => p.Name, p => p.Sample(random)));
                Assert.Equal(task, trainer.Task);
                Assert.Equal(space.TrainerName, trainer.Name);
                Assert.NotEmpty(space.Parameters);
            }
        }
    }

    public sealed class Options
    {
        public int? Leaves { get; set; }

        public double Rate { get; set; }

        public float Lambda { get; set; }

        public string Mode { get; set; } = "a";

        public int Untouched { get; set; }
    }

    private sealed class Close : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-9;

        public int GetHashCode(double obj) => 0;
    }
}
