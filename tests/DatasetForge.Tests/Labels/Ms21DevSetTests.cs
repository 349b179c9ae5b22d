using DatasetForge.Hierarchy;
using DatasetForge.Labels;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Labels;

/// <summary>
/// The built-in rules against MS21's corrected labels (`fixtures/ms21/labels.csv`, 7,623 real file names). The
/// floors are what the rules reach today on the whole set and on each artist-disjoint half; they guard against
/// regressions (the goals, 97% / 92%, are reported by `forge label --evaluate`, not asserted).
/// </summary>
public sealed class Ms21DevSetTests
{
    private static readonly Lazy<IReadOnlyList<TruthRow>> Truth = new(() => LabelEvaluation.ReadTruth(SharedData.Path("fixtures", "ms21", "labels.csv")));

    private static LabelEvaluation Evaluate(IReadOnlyList<TruthRow> rows) =>
        LabelEvaluation.Run(new TrackLabeler(LabelRuleSet.Default, HierarchyDefinition.Load("ms21")), rows);

    [Fact]
    public void Whole_development_set()
    {
        var result = Evaluate(Truth.Value);
        Assert.Equal(7623, result.N);
        Assert.True(result.InstrumentAccuracy >= 0.962, $"instrument accuracy {result.InstrumentAccuracy:0.0000}");
        Assert.True(result.LabelAccuracy >= 0.944, $"label accuracy {result.LabelAccuracy:0.0000}");
        Assert.True(result.Tracks.Count(t => t.Predicted.Label == HierarchyDefinition.Unknown) < 60);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Each_artist_disjoint_half(int fold)
    {
        var rows = LabelEvaluation.Fold(Truth.Value, fold, 2);
        Assert.InRange(rows.Count, 3000, 4700);
        var result = Evaluate(rows);
        Assert.True(result.InstrumentAccuracy >= 0.956, $"fold {fold}/2: instrument accuracy {result.InstrumentAccuracy:0.0000}");
        Assert.True(result.LabelAccuracy >= 0.935, $"fold {fold}/2: label accuracy {result.LabelAccuracy:0.0000}");
    }

    [Fact]
    public void Confidence_separates_trustworthy_rows_from_rows_to_review()
    {
        var bands = Evaluate(Truth.Value).ByConfidence(0, 0.8, 1.0);
        Assert.True(bands[1].InstrumentAccuracy >= 0.97, $"confidence >= 0.8: {bands[1].InstrumentAccuracy:0.000}");
        Assert.True(bands[0].InstrumentAccuracy < bands[1].InstrumentAccuracy - 0.1);
        Assert.True(bands[1].N > 6 * bands[0].N);
    }

    [Fact]
    public void Every_track_gets_a_label_a_rule_or_a_warning_and_a_confidence()
    {
        foreach (var t in Evaluate(Truth.Value).Tracks)
        {
            Assert.False(string.IsNullOrEmpty(t.Predicted.Label));
            Assert.True(t.Predicted.Rule.Length > 0 || t.Predicted.Warning is not null, t.Truth.File);
            Assert.InRange(t.Predicted.Confidence, 0, 1);
        }
    }
}
