#!/usr/bin/env bash
# The prepared GPU check for a lent NVIDIA machine (the `device` tool; docs/engine.md, "Measuring
# on a GPU"). One call prints every figure the WebGPU engine's targets need and leaves JSON under
# $OUT. Before the call, on the build machine: npm run build; the Vulkan loader debs under .gl/
# (the device README's recipe) and a Node 20 binary at .node/bin/node when the device has none;
# carry dist, node_modules, .gl and .node.
#   budget: doctor ~5 s, bench ~3 min, separable grid ≤ 10 min target, joint grid ≤ 10 min target:
#   each step has its own timeout so one overrun does not cost the others.
set -uo pipefail
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
if [ -d .gl ]; then for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig; fi
[ -x .node/bin/node ] && export PATH="$PWD/.node/bin:$PATH"
command -v node >/dev/null || { echo "no node on the device (carry .node/)"; exit 1; }
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
node --version; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
H="node dist/harness/cli.js"
timeout 60 $H doctor | tee "$OUT/doctor.txt"
timeout 300 $H bench --engine webgpu --critic both --batch-size 64 --gpu-batch 1,16,64,256,1120 --vs-torch --json > "$OUT/bench.json"
node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));for(const g of r.webgpu??[])console.log(`webgpu ${g.critic} n=${g.batchSize} K=${g.k}: ${g.msPerStepPerCell.toFixed(3)} ms/step/cell, ${g.gflops.toFixed(0)} GFLOP/s (${g.adapter})`);for(const t of r.torch??[])console.log(`${t.backend} ${t.critic}: ${t.msPerStep.toFixed(3)} ms/step`);for(const w of r.results)console.log(`${w.engine}/${w.backend} ${w.critic}: ${w.msPerStep.toFixed(3)} ms/step`)' "$OUT/bench.json"
# The grids, timed end to end on the WebGPU lane alone (fresh stores under $OUT).
for p in paper paper-joint; do
  /usr/bin/time -f "$p: %e s wall" timeout 600 $H sweep --preset "$p" --engine webgpu --gpu-batch 1120 --out "$OUT/$p" --json > "$OUT/$p.events" 2> "$OUT/$p.time"
  tail -1 "$OUT/$p.time"; grep -c '"type":"done"' "$OUT/$p.events" | sed "s/^/$p cells done: /"
done
