/* A campaign's progress: coverage with numerator and denominator, by status, building and day
 * (an inline SVG against the target line), follow-up, households not yet reached, incidents, and
 * every document one click away (fetched with the token, saved as a file).
 */
(function () {
  "use strict";
  var DS = window.DS;
  var t = DS.t;
  var el = DS.el;
  var svg = DS.svg;
  if (!DS.requireLogin()) return;

  var campaignId = DS.pathId(DS.boot.data.campaign_id);
  var root = document.getElementById("progress");
  var STATUS_ORDER = ["reached", "refused", "materials_left", "not_home", "unvisited"];
  var NOT_REACHED_MAX = 200;

  function section(id, titleKey, children) {
    return el("section", { class: "card", "aria-labelledby": id }, [el("h2", { id: id, text: t(titleKey) })].concat(children));
  }

  function table(caption, heads, rows, numericFrom) {
    var thead = el("thead", {}, [el("tr", {}, heads.map(function (h, i) {
      return el("th", { scope: "col", class: i >= numericFrom ? "num" : "" }, [h]);
    }))]);
    var tbody = el("tbody", {}, rows.map(function (r) {
      return el("tr", {}, r.map(function (c, i) {
        var node = typeof c === "string" || typeof c === "number" ? String(c) : c;
        return i === 0 ? el("th", { scope: "row" }, [node]) : el("td", { class: i >= numericFrom ? "num" : "" }, [node]);
      }));
    }));
    return el("div", { class: "table-scroll" }, [el("table", {}, [caption ? el("caption", { class: "sr-only", text: caption }) : null, thead, tbody])]);
  }

  function ratio(r) {
    return r.reached + " / " + r.eligible;
  }

  function bar(value, target) {
    var pct = value === null || value === undefined ? 0 : Math.max(0, Math.min(1, value)) * 100;
    return el("span", { class: "bar", "aria-hidden": "true" }, [
      el("span", { class: "bar-fill" + (target !== undefined && value >= target ? " is-met" : ""), style: "width:" + pct.toFixed(1) + "%" }),
      target !== undefined ? el("span", { class: "bar-target", style: "left:" + (target * 100).toFixed(1) + "%" }) : null,
    ]);
  }

  /* ---------- headline ---------- */

  function headline(c, cov) {
    var met = cov.coverage !== null && cov.coverage >= cov.target_coverage;
    return el("section", { class: "card headline-card", "aria-labelledby": "h-coverage" }, [
      el("h2", { id: "h-coverage", text: t("coverage") }),
      el("p", { class: "headline" }, [
        el("span", { class: "big" + (met ? " is-met" : ""), text: DS.fmtPercent(cov.coverage) }),
        el("span", { class: "fraction", text: t("coverage_fraction", { reached: cov.reached, eligible: cov.eligible }) }),
      ]),
      el("div", { class: "headline-bar" }, [bar(cov.coverage, cov.target_coverage)]),
      el("p", { class: "muted" }, [
        t("target_x", { target: DS.fmtPercent(cov.target_coverage) }) +
        (cov.excluded ? " · " + t("excluded_n", { n: cov.excluded, total: cov.households }) : ""),
      ]),
      el("p", { class: "muted small-text", text: t("as_of", { time: DS.fmtDateTime(cov.as_of) }) }),
    ]);
  }

  /* ---------- the verification sample: claimed next to verified coverage ---------- */

  function pct(x) {
    return DS.fmtPercent(x);
  }

  function verifySentence(v) {
    var decided = v.confirmed + v.denied;
    if (!v.sampled) return t("verify_none", { n: v.suggested_size });
    if (!decided) return t("verify_waiting", { sampled: v.sampled });
    return t("verify_sentence", {
      decided: decided,
      sampled: v.sampled,
      unreachable: v.unreachable,
      rate: pct(v.confirmed_rate),
      low: pct(v.verified_coverage.low),
      high: pct(v.verified_coverage.high),
      claimed: pct(v.claimed_coverage),
    });
  }

  function recorderName(r) {
    return r.recorder_name || t("verify_unknown_recorder");
  }

  function verifyRecorders(v) {
    var flagged = v.by_recorder.filter(function (r) {
      return r.flagged;
    });
    var rows = v.by_recorder.map(function (r) {
      return [
        recorderName(r),
        String(r.sampled),
        String(r.confirmed),
        String(r.denied),
        el("span", {}, [
          pct(r.confirmed_rate),
          r.flagged ? el("span", { class: "badge badge-flag", text: " " + t("verify_flag") }) : null,
        ]),
      ];
    });
    return el("div", {}, [
      el("h3", { text: t("verify_by_recorder") }),
      table(t("verify_by_recorder"), [t("verify_col_recorder"), t("verify_col_sampled"), t("verify_col_confirmed"), t("verify_col_denied"), t("verify_col_rate")], rows, 1),
    ].concat(flagged.map(function (r) {
      return el("p", { class: "banner warn verify-flag", role: "note", text: t("verify_flag_detail", {
        name: recorderName(r),
        denied: r.denied,
        n: r.confirmed + r.denied,
        expected: pct(r.expected_denial_rate),
        p: r.p_value < 0.0001 ? "p < 0.0001" : "p = " + r.p_value.toFixed(4),
      }) });
    })));
  }

  function verifyDenied(campaign, body) {
    var box = el("div", {});
    DS.api("/campaigns/" + campaign.id + "/verifications?status=denied&limit=100").then(function (page) {
      if (!page.items.length) return;
      box.appendChild(el("h3", { text: t("verify_denied_title") }));
      box.appendChild(el("ul", { class: "verify-denied" }, page.items.map(function (v) {
        var action = v.contact_voided
          ? el("span", { class: "badge", text: t("verify_voided") })
          : el("button", {
            type: "button",
            class: "small",
            onclick: function (e) {
              var button = e.currentTarget;
              if (!window.confirm(t("verify_void_confirm", { code: v.household_code }))) return;
              button.disabled = true;
              DS.api("/contacts/" + v.contact_id + "/void", { json: { reason: t("verify_void_reason") } })
                .then(function () {
                  refreshVerification(campaign, body);
                })
                .catch(function (err) {
                  button.disabled = false;
                  DS.toast(t("error_generic", { detail: err.detail }));
                });
            },
          }, [t("verify_void")]);
        return el("li", {}, [
          el("strong", { text: v.household_code }),
          el("span", { class: "muted", text: (v.recorder_name || "") + " · " + DS.fmtDateTime(v.contact_occurred_at) }),
          action,
        ]);
      })));
    }).catch(function () {
      /* the figures above still stand */
    });
    return box;
  }

  function verifyDraw(campaign, v, body) {
    var input = el("input", { type: "number", id: "verify-size", min: "1", max: "5000", inputmode: "numeric", placeholder: String(v.suggested_size) });
    var button = el("button", { type: "submit", text: t("verify_draw") });
    var form = el("form", { class: "verify-draw" }, [
      el("label", { for: "verify-size", text: t("verify_draw_label") }),
      input,
      button,
      el("span", { class: "muted small-text", text: t("verify_draw_hint", { n: v.suggested_size }) }),
    ]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var size = parseInt(input.value, 10);
      button.disabled = true;
      DS.api("/campaigns/" + campaign.id + "/verifications", { json: size > 0 ? { size: size } : {} })
        .then(function (res) {
          DS.toast(t("verify_drawn", { n: res.size }));
          refreshVerification(campaign, body);
        })
        .catch(function (err) {
          button.disabled = false;
          DS.toast(t("error_generic", { detail: err.detail }));
        });
    });
    return form;
  }

  function fillVerification(campaign, cov, body) {
    var v = cov.verification;
    DS.clear(body);
    if (!v) return;
    var decided = v.confirmed + v.denied;
    body.appendChild(el("div", { class: "verify-pair" }, [
      el("div", { class: "verify-figure" }, [
        el("p", { class: "label", text: t("verify_claimed") }),
        el("p", { class: "big", text: pct(cov.coverage) }),
        el("p", { class: "muted", text: t("coverage_fraction", { reached: cov.reached, eligible: cov.eligible }) }),
      ]),
      el("div", { class: "verify-figure is-verified" }, [
        el("p", { class: "label", text: t("verify_verified") }),
        el("p", { class: "big", text: decided ? t("verify_range", { low: pct(v.verified_coverage.low), high: pct(v.verified_coverage.high) }) : "—" }),
        el("p", { class: "muted", text: t("verify_counts", v) }),
      ]),
    ]));
    body.appendChild(el("p", { class: "verify-sentence", text: verifySentence(v) }));
    if (v.sampled) body.appendChild(el("p", { class: "muted small-text", text: t("verify_unreachable_note") }));
    if (v.by_recorder.length) body.appendChild(verifyRecorders(v));
    body.appendChild(verifyDenied(campaign, body));
    if (v.population > v.sampled) body.appendChild(verifyDraw(campaign, v, body));
  }

  function refreshVerification(campaign, body) {
    DS.api("/campaigns/" + campaign.id + "/coverage").then(function (cov) {
      fillVerification(campaign, cov, body);
    });
  }

  function verification(campaign, cov) {
    var body = el("div", {});
    fillVerification(campaign, cov, body);
    return section("h-verify", "verify_title", [body]);
  }

  /* ---------- by status: a stacked bar with the grid's colours and a labelled list ---------- */

  function byStatus(cov) {
    var total = STATUS_ORDER.reduce(function (s, k) {
      return s + (cov.by_status[k] || 0);
    }, 0) || 1;
    var stack = el("div", { class: "stack", "aria-hidden": "true" }, STATUS_ORDER.map(function (k) {
      var n = cov.by_status[k] || 0;
      return n ? el("span", { class: "stack-part st-" + k, style: "flex-grow:" + n }) : null;
    }));
    var list = el("ul", { class: "legend-list counts" }, STATUS_ORDER.map(function (k) {
      var n = cov.by_status[k] || 0;
      return el("li", {}, [
        el("span", { class: "swatch st-" + k, "aria-hidden": "true" }),
        el("span", { text: t("status_" + k) }),
        el("strong", { class: "num", text: n + " (" + DS.fmtPercent(n / total) + ")" }),
      ]);
    }));
    return section("h-status", "by_status", [stack, list]);
  }

  /* ---------- by building ---------- */

  function byBuilding(cov) {
    var rows = cov.by_building.slice().sort(function (a, b) {
      return String(a.code).localeCompare(String(b.code), undefined, { numeric: true });
    }).map(function (b) {
      return [
        t("building_n", { code: b.code }),
        ratio(b),
        String(b.excluded),
        el("span", { class: "cov-cell" }, [el("span", { text: DS.fmtPercent(b.coverage) }), bar(b.coverage, cov.target_coverage)]),
      ];
    });
    return section("h-buildings", "by_building", [
      table(t("by_building"), [t("col_building"), t("col_reached") + " / " + t("col_eligible"), t("col_excluded"), t("col_coverage")], rows, 1),
    ]);
  }

  /* ---------- by day: the cumulative coverage against the target, as inline SVG ---------- */

  function dayIndex(iso, start) {
    return Math.round((new Date(iso + "T00:00:00Z") - new Date(start + "T00:00:00Z")) / 86400000);
  }

  function chart(campaign, cov) {
    // Drawn at the width it is shown at, so that its text stays readable on a phone.
    var W = Math.max(300, Math.min(960, root.clientWidth - 34));
    var H = W < 500 ? 220 : 280;
    var m = { l: 48, r: 16, t: 22, b: 36 };
    var days = Math.max(1, dayIndex(campaign.ends_on, campaign.starts_on));
    var x = function (i) {
      return m.l + (W - m.l - m.r) * (i / days);
    };
    var y = function (v) {
      return m.t + (H - m.t - m.b) * (1 - v);
    };
    var nodes = [
      svg("title", { id: "chart-title", text: t("chart_title") }),
      svg("desc", { id: "chart-desc", text: cov.by_day.map(function (d) {
        return d.date + " " + DS.fmtPercent(d.cumulative_coverage);
      }).join("; ") }),
    ];
    [0, 0.25, 0.5, 0.75, 1].forEach(function (v) {
      nodes.push(svg("line", { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), class: "grid-line" }));
      nodes.push(svg("text", { x: m.l - 6, y: y(v) + 4, "text-anchor": "end", class: "axis", text: Math.round(v * 100) + "%" }));
    });
    var ticks = Math.min(days, W < 500 ? 4 : 8);
    for (var k = 0; k <= ticks; k++) {
      var i = Math.round((days * k) / ticks);
      var d = new Date(new Date(campaign.starts_on + "T00:00:00Z").getTime() + i * 86400000);
      nodes.push(svg("text", { x: x(i), y: H - m.b + 18, "text-anchor": "middle", class: "axis", text: (d.getUTCMonth() + 1) + "/" + d.getUTCDate() }));
    }
    var ty = y(cov.target_coverage);
    nodes.push(svg("line", { x1: m.l, x2: W - m.r, y1: ty, y2: ty, class: "target-line" }));
    nodes.push(svg("text", { x: W - m.r, y: ty - 6, "text-anchor": "end", class: "target-label", text: t("chart_target") + " " + DS.fmtPercent(cov.target_coverage) }));
    var pts = cov.by_day.filter(function (d) {
      return d.cumulative_coverage !== null && d.cumulative_coverage !== undefined;
    }).map(function (d) {
      return [x(dayIndex(d.date, campaign.starts_on)), y(d.cumulative_coverage)];
    });
    if (pts.length) {
      nodes.push(svg("polyline", { points: pts.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "), class: "actual-line" }));
      pts.forEach(function (p) {
        nodes.push(svg("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 4, class: "actual-dot" }));
      });
    }
    var figure = svg("svg", {
      viewBox: "0 0 " + W + " " + H,
      class: "chart",
      role: "img",
      "aria-labelledby": "chart-title chart-desc",
      preserveAspectRatio: "xMidYMid meet",
    }, nodes);
    var key = el("p", { class: "chart-key" }, [
      el("span", { class: "key-actual" }, [t("chart_actual")]),
      el("span", { class: "key-target" }, [t("chart_target")]),
    ]);
    var rows = cov.by_day.map(function (d) {
      return [DS.fmtDate(d.date), String(d.visited), String(d.newly_reached), DS.fmtPercent(d.cumulative_coverage), String(d.app_installs), String(d.pledges_signed), String(d.flyers_given), String(d.residents_reached)];
    });
    var ledger = el("details", { class: "ledger" }, [
      el("summary", { text: t("ledger") }),
      table(t("by_day"), [t("col_date"), t("col_visited"), t("col_newly_reached"), t("col_cumulative"), t("col_app_installs"), t("col_pledges"), t("col_flyers"), t("col_residents")], rows, 1),
    ]);
    return section("h-days", "by_day", cov.by_day.length ? [figure, key, ledger] : [el("p", { class: "muted", text: t("no_days") })]);
  }

  /* ---------- channels, extras, flagged, follow-up ---------- */

  function figures(id, titleKey, pairs) {
    return section(id, titleKey, [el("dl", { class: "figures" }, [].concat.apply([], pairs.map(function (p) {
      return [el("dt", { text: p[0] }), el("dd", { text: String(p[1]) })];
    })))]);
  }

  function channels(cov) {
    return figures("h-channels", "by_channel", ["door", "event", "walk_in", "phone"].map(function (c) {
      return [t("channel_" + c), cov.by_channel[c] || 0];
    }));
  }

  function extras(cov) {
    var x = cov.extras || {};
    return figures("h-extras", "extras_title", [
      [t("col_app_installs"), x.app_installs || 0],
      [t("col_pledges"), x.pledges_signed || 0],
      [t("col_flyers"), x.flyers_given || 0],
      [t("col_residents"), x.residents_reached || 0],
    ]);
  }

  function flagged(cov) {
    var f = cov.flagged || { any: null, by_flag: {} };
    var rows = [];
    if (f.any) rows.push([t("flagged_any"), ratio(f.any), DS.fmtPercent(f.any.coverage)]);
    Object.keys(f.by_flag || {}).forEach(function (k) {
      var r = f.by_flag[k];
      var name = DS.boot.strings["flag_" + k] ? t("flag_" + k) : k;
      rows.push([name, ratio(r), DS.fmtPercent(r.coverage)]);
    });
    return section("h-flagged", "flagged_title", [
      table(t("flagged_title"), [t("flags"), t("col_reached") + " / " + t("col_eligible"), t("col_coverage")], rows, 1),
    ]);
  }

  function revisits(cov) {
    var r = cov.revisits || {};
    return figures("h-revisits", "revisits_title", [
      [t("first_not_home"), r.first_not_home || 0],
      [t("revisited"), r.revisited || 0],
      [t("reached_since"), r.reached_since || 0],
      [t("not_yet_revisited"), r.not_yet_revisited || 0],
      [t("never_visited"), cov.never_visited || 0],
    ]);
  }

  /* ---------- households not yet reached ---------- */

  function notReachedSection(campaign) {
    var body = el("div", {}, [el("p", { class: "muted", text: t("loading") })]);
    var box = section("h-notreached", "not_reached_title", [body]);
    loadNotReached(campaign).then(function (res) {
      DS.clear(body);
      if (!res.items.length) {
        body.appendChild(el("p", { class: "muted", text: t("not_reached_none") }));
        return;
      }
      var list = el("ul", { class: "chips" }, res.items.slice(0, NOT_REACHED_MAX).map(function (h) {
        return el("li", { class: "chip" }, [
          el("span", { class: "swatch st-" + h.status, "aria-hidden": "true" }),
          el("strong", { text: h.code }),
          el("span", { class: "muted", text: t("status_" + h.status) }),
        ]);
      }));
      body.appendChild(el("details", { class: "ledger", open: res.total <= 40 }, [
        el("summary", { text: t("not_reached_count", { n: res.total }) }),
        list,
      ]));
      if (res.total > NOT_REACHED_MAX) body.appendChild(el("p", { class: "muted", text: t("not_reached_more", { n: res.total - NOT_REACHED_MAX }) }));
    }).catch(function (err) {
      DS.clear(body);
      body.appendChild(el("p", { class: "form-error", text: t("error_generic", { detail: err.detail }) }));
    });
    return box;
  }

  function loadNotReached(campaign) {
    return DS.api("/campaigns/" + campaign.id + "/not-reached?limit=" + NOT_REACHED_MAX).then(function (page) {
      return { items: page.items, total: page.total };
    });
  }

  /* ---------- incidents ---------- */

  function money(x) {
    return (x || 0).toLocaleString(DS.boot.lang === "zh" ? "zh-CN" : "en-GB", { maximumFractionDigits: 2 });
  }

  function incidentsSection(campaign, cov, fraudTypes) {
    var body = el("div", {}, [el("p", { class: "muted", text: t("loading") })]);
    var inc = cov.incidents || { total: 0, dissuaded: 0, amount_lost: 0, amount_prevented: 0 };
    var box = section("h-incidents", "incidents_title", [
      el("p", { text: t("incidents_summary", { total: inc.total, dissuaded: inc.dissuaded, lost: money(inc.amount_lost), prevented: money(inc.amount_prevented) }) }),
      body,
    ]);
    DS.api("/communities/" + campaign.community_id + "/incidents?limit=100").then(function (page) {
      DS.clear(body);
      var items = (page.items || []).filter(function (i) {
        if (i.campaign_id !== undefined && i.campaign_id !== null) return i.campaign_id === campaign.id;
        var day = String(i.occurred_at).slice(0, 10);
        return day >= campaign.starts_on && day <= campaign.ends_on;
      });
      if (!items.length) {
        body.appendChild(el("p", { class: "muted", text: t("incidents_none") }));
        return;
      }
      var ul = el("ul", { class: "incidents" });
      items.forEach(function (i) {
        var ft = fraudTypes[i.fraud_type];
        var name = ft ? (DS.boot.lang === "zh" ? ft.name_zh : ft.name_en) : i.fraud_type;
        ul.appendChild(el("li", {}, [
          el("strong", { text: name }),
          el("span", { class: "badge badge-" + i.status, text: t("incident_status_" + i.status) }),
          el("span", { class: "muted", text: DS.fmtDateTime(i.occurred_at) + " · " + i.channel }),
          el("span", { text: i.summary }),
          i.amount_lost || i.amount_prevented
            ? el("span", { class: "amounts", text: t("incident_amounts", { lost: money(i.amount_lost), prevented: money(i.amount_prevented) }) })
            : null,
        ]));
      });
      body.appendChild(ul);
    }).catch(function (err) {
      DS.clear(body);
      body.appendChild(el("p", { class: "form-error", text: t("error_generic", { detail: err.detail }) }));
    });
    return box;
  }

  /* ---------- warnings (预警) received on the campaign's dates ---------- */

  function warningsSection(campaign) {
    var body = el("div", {}, [el("p", { class: "muted", text: t("loading") })]);
    var box = section("h-warnings", "warning_summary", [body]);
    box.id = "warning-figures-card";
    DS.api("/communities/" + campaign.community_id + "/warnings/summary?campaign_id=" + campaign.id).then(function (s) {
      DS.clear(body);
      var of = function (r) {
        return t("warning_of", { n: r.numerator, d: r.denominator });
      };
      var median = s.median_minutes_to_reach;
      body.appendChild(el("dl", { class: "figures" }, [
        el("dt", { text: t("warning_received") }), el("dd", { text: String(s.received) }),
        el("dt", { text: t("warning_reached_n") }), el("dd", { text: of(s.reached) }),
        el("dt", { text: t("warning_reached_in_time") }), el("dd", { text: of(s.reached_in_time) }),
        el("dt", { text: t("warning_overdue_n") }), el("dd", { text: of(s.overdue) }),
        el("dt", { text: t("warning_median") }), el("dd", { text: median === null ? "–" : t("warning_minutes", { n: Math.round(median) }) }),
      ]));
    }).catch(function (err) {
      DS.clear(body);
      body.appendChild(el("p", { class: "form-error", text: t("error_generic", { detail: err.detail }) }));
    });
    return box;
  }

  /* ---------- downloads ---------- */

  function downloadButton(label, path, name) {
    return el("li", {}, [el("button", {
      type: "button",
      class: "button download",
      "data-path": path,
      onclick: function (e) {
        DS.download(path, name, e.currentTarget);
      },
    }, [label])]);
  }

  function choice(id, label, options) {
    var select = el("select", { id: id }, options.map(function (o) {
      return el("option", { value: o[0], text: o[1] });
    }));
    return [el("label", { for: id, text: label }), select];
  }

  function flyerPicker(campaign, base) {
    var building = choice("flyer-building", t("flyer_building"), [["", t("flyer_whole")]]);
    var lang = choice("flyer-lang", t("flyer_lang"), [["zh", t("flyer_lang_zh")], ["en", t("flyer_lang_en")]]);
    var size = choice("flyer-size", t("flyer_size"), [["a5", "A5"], ["a4", "A4"]]);
    var hint = el("p", { class: "muted", text: t("flyers_household_hint") });
    function query(perHousehold) {
      var q = "?lang=" + lang[1].value + "&size=" + size[1].value;
      if (building[1].value) q += "&building_id=" + building[1].value;
      if (perHousehold) q += "&per_household=true";
      return q;
    }
    function fileName(perHousehold) {
      var where = building[1].value ? "-b" + building[1].value : "";
      return "flyers-" + campaign.id + where + (perHousehold ? "-households" : "") + "-" + lang[1].value + "-" + size[1].value + ".pdf";
    }
    var whole = el("button", { type: "button", class: "button download", onclick: function (e) {
      DS.download(base + "/flyers.pdf" + query(false), fileName(false), e.currentTarget);
    } }, [t("flyers_building_pdf")]);
    var each = el("button", { type: "button", class: "button download", disabled: true, onclick: function (e) {
      DS.download(base + "/flyers.pdf" + query(true), fileName(true), e.currentTarget);
    } }, [t("flyers_household_pdf")]);
    building[1].addEventListener("change", function () {
      each.disabled = !building[1].value;
      hint.hidden = !!building[1].value;
    });
    DS.apiAll("/communities/" + campaign.community_id + "/buildings").then(function (list) {
      list.sort(function (a, b) {
        return String(a.code).localeCompare(String(b.code), undefined, { numeric: true });
      });
      list.forEach(function (b) {
        building[1].appendChild(el("option", { value: String(b.id), text: b.name || b.code }));
      });
    }, function () {
      /* the whole-community flyer still works */
    });
    return el("div", { class: "flyer-picker" }, [
      el("p", { class: "choices" }, building.concat(lang, size)),
      el("ul", { class: "downloads" }, [el("li", {}, [whole]), el("li", {}, [each])]),
      hint,
    ]);
  }

  function downloads(campaign) {
    var base = "/campaigns/" + campaign.id;
    var ul = el("ul", { class: "downloads" }, [
      downloadButton(t("report_pdf"), base + "/report.pdf", "report-" + campaign.id + ".pdf"),
      downloadButton(t("report_pdf_en"), base + "/report.pdf?lang=en", "report-" + campaign.id + "-en.pdf"),
      downloadButton(t("coverage_xlsx"), base + "/coverage.xlsx?lang=" + DS.boot.lang, "coverage-" + campaign.id + ".xlsx"),
      downloadButton(t("coverage_csv"), base + "/coverage.csv?lang=" + DS.boot.lang, "households-" + campaign.id + ".csv"),
      downloadButton(t("ledger_pdf"), "/reports/ledger.pdf", "ledger.pdf"),
    ]);
    var all = el("ul", { class: "downloads" }, [
      downloadButton(t("walk_sheets_all"), base + "/walk-sheets.pdf", "walk-sheets-" + campaign.id + ".pdf"),
      downloadButton(t("walk_sheets_per_unit"), base + "/walk-sheets.pdf?page_per_unit=true", "walk-sheets-" + campaign.id + "-units.pdf"),
    ]);
    var sheets = el("div", {}, [el("p", { class: "muted", text: t("loading") })]);
    var codes = {};
    Promise.all([
      DS.apiAll(base + "/rounds"),
      DS.apiAll("/communities/" + campaign.community_id + "/buildings").then(function (list) {
        list.forEach(function (b) {
          codes[b.id] = b.code;
        });
      }, function () {
        /* without codes the ids are shown */
      }),
    ]).then(function (parts) {
      var rounds = parts[0];
      DS.clear(sheets);
      if (!rounds.length) {
        sheets.appendChild(el("p", { class: "muted", text: t("no_rounds") }));
        return;
      }
      rounds.sort(function (a, b) {
        return a.starts_at < b.starts_at ? -1 : 1;
      });
      sheets.appendChild(el("ul", { class: "downloads" }, rounds.map(function (r) {
        var names = (r.building_ids || []).map(function (id) {
          return codes[id] || String(id);
        }).join(t("list_sep"));
        return downloadButton(t("walk_sheet_of", { when: DS.fmtDateTime(r.starts_at), codes: names }), "/rounds/" + r.id + "/walk-sheet.pdf", "walk-sheet-" + r.id + ".pdf");
      })));
    }).catch(function (err) {
      DS.clear(sheets);
      sheets.appendChild(el("p", { class: "form-error", text: t("error_generic", { detail: err.detail }) }));
    });
    return section("h-downloads", "downloads", [
      ul,
      el("h3", { text: t("flyers_title") }),
      flyerPicker(campaign, base),
      el("h3", { text: t("walk_sheets_title") }),
      all,
      sheets,
    ]);
  }

  /* ---------- start ---------- */

  Promise.all([
    DS.api("/campaigns/" + campaignId),
    DS.api("/campaigns/" + campaignId + "/coverage"),
    DS.api("/fraud-types").catch(function () {
      return [];
    }),
  ])
    .then(function (parts) {
      var campaign = parts[0];
      var cov = parts[1];
      var types = {};
      var list = Array.isArray(parts[2]) ? parts[2] : parts[2].items || [];
      list.forEach(function (f) {
        types[f.code] = f;
      });
      document.getElementById("campaign-title").textContent = campaign.name;
      document.getElementById("plan-link").href = "/campaigns/" + campaign.id + "/plan";
      document.title = campaign.name + " · " + t("app_name");
      document.getElementById("campaign-dates").textContent =
        t("date_range", { start: DS.fmtDate(campaign.starts_on), end: DS.fmtDate(campaign.ends_on) }) + " · " + t("campaign_status_" + campaign.status);
      DS.clear(root);
      root.removeAttribute("aria-busy");
      [
        headline(campaign, cov),
        verification(campaign, cov),
        downloads(campaign),
        byStatus(cov),
        channels(cov),
        byBuilding(cov),
        chart(campaign, cov),
        extras(cov),
        revisits(cov),
        flagged(cov),
        notReachedSection(campaign),
        incidentsSection(campaign, cov, types),
        warningsSection(campaign),
      ].forEach(function (node) {
        root.appendChild(node);
      });
    })
    .catch(function (err) {
      DS.clear(root);
      root.removeAttribute("aria-busy");
      var key = err.status === 404 ? "not_found" : err.status === 403 ? "no_access" : null;
      root.appendChild(el("p", { class: "form-error", role: "alert", text: key ? t(key) : t("error_generic", { detail: err.detail }) }));
    });
})();
