namespace DatasetForge.Pipeline;

/// <summary>
/// Where a pipeline run puts everything under its output folder OUT:
/// <code>
/// OUT/source/            the generated library (source kind synthetic: forge synth's layout)
/// OUT/library/           the ingest catalog root: catalog/*.csv, archives/, songs/, work/ingest/, cache/pages/
/// OUT/labels/            labels.csv, labels_wide.csv, corrections.csv, disagreements.csv; work/&lt;song_id&gt;.json per song
/// OUT/dataset/           the dataset (docs/CONTRACTS.md section 3) with analysis/, splits.csv, stats/, report/
/// OUT/quarantine.csv     every song and file refused, by any stage: item, stage, reason
/// OUT/pipeline/          events.jsonl (JSON lines, appended), summary.json (the last run), definition.json (the
///                        effective definition), state/&lt;stage&gt;.json (keys of the dataset-level stages), .lock
/// </code>
/// </summary>
public sealed class PipelineLayout
{
    public PipelineLayout(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string SourceDir => Path.Combine(Root, "source");

    public string LibraryDir => Path.Combine(Root, "library");

    public string LabelsDir => Path.Combine(Root, "labels");

    public string LabelUnitsDir => Path.Combine(LabelsDir, "work");

    public string DatasetDir => Path.Combine(Root, "dataset");

    public string AnalysisDir => Path.Combine(DatasetDir, "analysis");

    public string ReportDir => Path.Combine(DatasetDir, "report");

    public string StatsDir => Path.Combine(DatasetDir, "stats");

    public string QuarantineCsv => Path.Combine(Root, "quarantine.csv");

    public string PipelineDir => Path.Combine(Root, "pipeline");

    public string EventsPath => Path.Combine(PipelineDir, "events.jsonl");

    public string SummaryPath => Path.Combine(PipelineDir, "summary.json");

    public string DefinitionPath => Path.Combine(PipelineDir, "definition.json");

    public string StateDir => Path.Combine(PipelineDir, "state");

    public string LockPath => Path.Combine(PipelineDir, ".lock");

    public string LabelUnitPath(string songId) => Path.Combine(LabelUnitsDir, songId + ".json");

    public string StatePath(string stage) => Path.Combine(StateDir, stage + ".json");
}
