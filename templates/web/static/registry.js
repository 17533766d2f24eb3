/* /registry: the community's buildings drawn as units × floors, each household's occupancy
 * and flags editable in place, a building's grid owners, and the roster upload: a dry run
 * first (rejected rows, households created, every changed field old → new), the import only
 * when the officer confirms. */
(function () {
  "use strict";
  var DS = window.DS;
  var O = window.Office;
  var t = DS.t;
  var el = DS.el;
  var ready = O.requirePlanner();
  if (!ready) return;

  var OCCUPANCY = ["occupied", "vacant", "unknown"];
  var FLAGS = ["elderly_alone", "previous_victim", "non_native_speaker", "disabled", "lives_alone", "tenant"];
  var S = { community: null, buildings: [], members: [], current: null, households: [], preview: null };
  var $ = function (id) {
    return document.getElementById(id);
  };

  function flagLabel(f) {
    var k = "flag_" + f;
    var s = t(k);
    return s === k ? f : s;
  }

  function fieldLabel(f) {
    var k = "imp_field_" + f;
    var s = t(k);
    return s === k ? f : s;
  }

  function show(v, field) {
    if (v === null || v === undefined || v === "") return "—";
    if (Array.isArray(v)) return v.length ? v.map(flagLabel).join(t("list_sep")) : "—";
    if (field === "occupancy") return t("occ_" + v);
    return String(v);
  }

  /* ---------- import: preview, then confirm ---------- */

  function upload(query) {
    var file = $("imp-file").files[0];
    var form = new FormData();
    form.append("file", file, file.name);
    var headers = { Accept: "application/json", Authorization: "Bearer " + DS.token() };
    return fetch("/api/v1/communities/" + S.community.id + "/households/import?" + query, { method: "POST", headers: headers, body: form })
      .catch(function () {
        throw new DS.ApiError(0, t("login_unreachable"), null);
      })
      .then(function (res) {
        return res.json().catch(function () {
          return null;
        }).then(function (body) {
          if (res.ok) return body;
          throw new DS.ApiError(res.status, (body && (body.detail || body.title)) || String(res.status), body);
        });
      });
  }

  function table(id, heads, rows) {
    return el("div", { class: "table-scroll" }, [el("table", { id: id }, [
      el("thead", {}, [el("tr", {}, heads.map(function (h) {
        return el("th", { scope: "col", text: h });
      }))]),
      el("tbody", {}, rows.map(function (r) {
        return el("tr", {}, r.map(function (c, i) {
          return i === 0 ? el("th", { scope: "row", text: String(c) }) : el("td", { text: String(c) });
        }));
      })),
    ])]);
  }

  function drawPreview(p) {
    var box = DS.clear($("imp-result"));
    S.preview = p;
    var rejected = p.rejected || [];
    var changes = p.changes || [];
    var created = p.created_households || [];
    var confirmVacant = p.needs_confirmation || [];
    box.appendChild(el("h3", { text: t("imp_preview_title") }));
    box.appendChild(el("p", { class: "progress-line", id: "imp-counts", text: t("imp_counts", {
      created: p.created, updated: p.updated, unchanged: p.unchanged, rejected: rejected.length,
    }) }));
    if (rejected.length) {
      box.appendChild(el("h4", { text: t("imp_rejected_title", { n: rejected.length }) }));
      box.appendChild(el("p", { class: "hint", text: t("imp_rejected_hint") }));
      box.appendChild(table("imp-rejected", [t("imp_row"), t("imp_reason")], rejected.map(function (r) {
        return [r.row, r.reason];
      })));
    }
    if (changes.length) {
      box.appendChild(el("h4", { text: t("imp_changes_title", { n: changes.length }) }));
      box.appendChild(table("imp-changes", [t("imp_row"), t("col_household"), t("imp_field"), t("imp_old"), t("imp_new")], changes.map(function (c) {
        return [c.row, c.code, fieldLabel(c.field), show(c.old, c.field), show(c["new"], c.field)];
      })));
    }
    if (created.length) {
      box.appendChild(el("details", { class: "legend", id: "imp-created" }, [
        el("summary", { text: t("imp_created_title", { n: created.length }) }),
        el("p", { class: "codes", text: created.map(function (c) {
          return c.code;
        }).join(t("list_sep")) }),
      ]));
    }
    var vacantBox = null;
    if (confirmVacant.length) {
      vacantBox = el("input", { type: "checkbox", id: "imp-confirm-vacant" });
      box.appendChild(el("div", { class: "banner warn" }, [
        el("p", { text: t("imp_vacant_warning", { codes: confirmVacant.map(function (c) {
          return c.code;
        }).join(t("list_sep")) }) }),
        el("label", { class: "check", for: "imp-confirm-vacant" }, [vacantBox, el("span", { text: t("imp_confirm_vacant") })]),
      ]));
    }
    var nothing = !p.created && !p.updated && !(vacantBox);
    if (nothing) {
      box.appendChild(el("p", { class: "note", text: t("imp_nothing") }));
      return;
    }
    var go = el("button", { type: "button", class: "primary", id: "imp-confirm", text: rejected.length ? t("imp_confirm_partial", { n: p.created + p.updated }) : t("imp_confirm") });
    var cancel = el("button", { type: "button", text: t("imp_discard") });
    cancel.addEventListener("click", function () {
      S.preview = null;
      DS.clear(box);
      $("imp-file").focus();
    });
    go.addEventListener("click", function () {
      go.disabled = true;
      var q = [];
      if (rejected.length) q.push("partial=true");
      if ($("imp-replace").checked) q.push("replace_flags=true");
      if (vacantBox && vacantBox.checked) q.push("confirm_vacant=true");
      upload(q.join("&")).then(function (done) {
        DS.clear(box).appendChild(el("p", { class: "note", role: "status", id: "imp-done", text: t("imp_done", {
          created: done.created, updated: done.updated, unchanged: done.unchanged, rejected: (done.rejected || []).length,
        }) }));
        $("import-form").reset();
        S.preview = null;
        return loadBuildings();
      }).catch(function (err) {
        go.disabled = false;
        O.showError($("imp-error"), err);
      });
    });
    box.appendChild(el("div", { class: "actions" }, [go, cancel]));
  }

  $("import-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var error = $("imp-error");
    error.hidden = true;
    if (!$("imp-file").files.length) {
      O.showError(error, t("imp_need_file"));
      return;
    }
    var button = $("imp-preview");
    button.disabled = true;
    DS.clear($("imp-result")).appendChild(el("p", { class: "muted", role: "status", text: t("imp_reading") }));
    var query = "dry_run=true" + ($("imp-replace").checked ? "&replace_flags=true" : "");
    upload(query).then(drawPreview).catch(function (err) {
      // Rejected rows make the import refuse (422); its answer still carries the preview.
      if (err.body && err.body.preview) drawPreview(err.body.preview);
      else {
        DS.clear($("imp-result"));
        O.showError(error, err);
      }
    }).then(function () {
      button.disabled = false;
    });
  });
  $("imp-file").addEventListener("change", function () {
    S.preview = null;
    DS.clear($("imp-result"));
  });

  /* ---------- buildings as units × floors ---------- */

  function loadBuildings() {
    return DS.apiAll("/communities/" + S.community.id + "/buildings").then(function (items) {
      S.buildings = items.sort(function (a, b) {
        return a.code.localeCompare(b.code, "zh-CN", { numeric: true });
      });
      drawTabs();
      var keep = S.current && S.buildings.filter(function (b) {
        return b.id === S.current.id;
      })[0];
      if (keep || S.buildings.length) return openBuilding(keep || S.buildings[0]);
      DS.clear($("building-view")).appendChild(el("p", { class: "muted", text: t("reg_no_buildings") }));
      return null;
    });
  }

  function drawTabs() {
    var tabs = DS.clear($("building-tabs"));
    S.buildings.forEach(function (b) {
      tabs.appendChild(el("button", {
        type: "button",
        class: "small building-tab",
        "aria-pressed": S.current && S.current.id === b.id ? "true" : "false",
        "data-building": b.code,
        text: t("building_x", { code: b.code }),
        onclick: function () {
          openBuilding(b);
        },
      }));
    });
  }

  function openBuilding(b) {
    S.current = b;
    drawTabs();
    var view = DS.clear($("building-view"));
    view.appendChild(el("p", { class: "muted", text: t("loading") }));
    return DS.apiAll("/communities/" + S.community.id + "/households?building_id=" + b.id).then(function (items) {
      S.households = items;
      drawBuilding();
    });
  }

  function cellText(h) {
    var marks = (h.flags || []).map(flagLabel).join(t("list_sep"));
    return [h.room, t("occ_" + h.occupancy), marks];
  }

  function householdButton(h) {
    var parts = cellText(h);
    return el("button", {
      type: "button",
      class: "reg-hh occ-" + h.occupancy + ((h.flags || []).length ? " has-flags" : ""),
      "data-code": h.code,
      "aria-label": h.code + " · " + parts[1] + (parts[2] ? " · " + parts[2] : ""),
      onclick: function () {
        editHousehold(h);
      },
    }, [
      el("span", { class: "reg-room", text: parts[0] }),
      el("span", { class: "reg-occ", text: parts[1] }),
      parts[2] ? el("span", { class: "reg-flags", text: parts[2] }) : null,
    ]);
  }

  function drawBuilding() {
    var b = S.current;
    var view = DS.clear($("building-view"));
    var vacant = S.households.filter(function (h) {
      return h.occupancy === "vacant";
    }).length;
    var flagged = S.households.filter(function (h) {
      return (h.flags || []).length;
    }).length;
    var label = t("building_x", { code: b.code });
    view.appendChild(el("h3", { text: label + (b.name && b.name !== label ? " · " + b.name : "") }));
    view.appendChild(el("p", { class: "muted", text: t("reg_summary", { n: S.households.length, vacant: vacant, flagged: flagged }) }));
    if (Object.prototype.hasOwnProperty.call(b, "owner_ids")) view.appendChild(ownersBox(b));
    var units = {};
    S.households.forEach(function (h) {
      (units[h.unit] = units[h.unit] || []).push(h);
    });
    var unitNames = Object.keys(units).sort(function (a, c) {
      return a.localeCompare(c, "zh-CN", { numeric: true });
    });
    if (!unitNames.length) view.appendChild(el("p", { class: "muted", text: t("reg_no_households") }));
    var grid = el("div", { class: "reg-units" });
    unitNames.forEach(function (u) {
      var byFloor = {};
      units[u].forEach(function (h) {
        (byFloor[h.floor] = byFloor[h.floor] || []).push(h);
      });
      var floors = Object.keys(byFloor).map(Number).sort(function (a, c) {
        return c - a;
      });
      grid.appendChild(el("section", { class: "reg-unit", "aria-label": t("reg_unit", { unit: u }) }, [
        el("h4", { text: t("reg_unit", { unit: u }) }),
        el("div", { class: "reg-floors" }, floors.map(function (f) {
          return el("div", { class: "reg-floor" }, [
            el("span", { class: "floor-label", text: t("floor_n", { floor: f }) }),
          ].concat(byFloor[f].sort(function (a, c) {
            return a.room.localeCompare(c.room, "zh-CN", { numeric: true });
          }).map(householdButton)));
        })),
      ]));
    });
    view.appendChild(grid);
  }

  function ownersBox(b) {
    var people = S.members.filter(function (m) {
      return m.role !== "manager" || b.owner_ids.indexOf(m.user_id) >= 0;
    });
    var boxes = O.checkboxes("owner-" + b.id, t("reg_owners"), people.map(function (m) {
      return { value: m.user_id, label: m.display_name + "（" + t("role_" + m.role) + "）" };
    }), b.owner_ids);
    var error = el("p", { class: "form-error", role: "alert", hidden: true });
    var save = el("button", { type: "button", class: "small", id: "owners-save", text: t("reg_owners_save") });
    save.addEventListener("click", function () {
      save.disabled = true;
      DS.api("/buildings/" + b.id, { method: "PATCH", json: { owner_ids: boxes.values().map(Number) } }).then(function (saved) {
        save.disabled = false;
        S.buildings = S.buildings.map(function (x) {
          return x.id === saved.id ? saved : x;
        });
        S.current = saved;
        DS.toast(t("reg_owners_saved"));
      }).catch(function (err) {
        save.disabled = false;
        O.showError(error, err);
      });
    });
    return el("details", { class: "extras owners" }, [
      el("summary", { text: t("reg_owners_summary", { names: b.owner_ids.length ? b.owner_ids.map(function (id) {
        var m = S.members.filter(function (x) {
          return x.user_id === id;
        })[0];
        return m ? m.display_name : "#" + id;
      }).join(t("list_sep")) : t("reg_owners_none") }) }),
      el("p", { class: "hint", text: t("reg_owners_hint") }),
      boxes.node,
      error,
      save,
    ]);
  }

  /* ---------- one household, edited in place ---------- */

  function editHousehold(h) {
    var dialog = $("hh-dialog");
    var form = DS.clear($("hh-form"));
    $("hh-title").textContent = h.code;
    var occ = el("fieldset", { class: "fieldset" }, [el("legend", { text: t("reg_occupancy") })].concat(OCCUPANCY.map(function (o) {
      var id = "hh-occ-" + o;
      var r = el("input", { type: "radio", name: "hh-occ", id: id, value: o });
      r.checked = h.occupancy === o;
      return el("label", { class: "check", for: id }, [r, el("span", { text: t("occ_" + o) })]);
    })));
    var known = FLAGS.concat((h.flags || []).filter(function (f) {
      return FLAGS.indexOf(f) < 0;
    }));
    var flags = O.checkboxes("hh-flag", t("reg_flags"), known.map(function (f) {
      return { value: f, label: flagLabel(f) };
    }), h.flags || []);
    var error = el("p", { class: "form-error", role: "alert", hidden: true });
    [occ, flags.node, error, el("div", { class: "actions" }, [
      el("button", { type: "submit", class: "primary", text: t("save") }),
      el("button", { type: "button", text: t("close"), onclick: function () {
        dialog.close();
      } }),
    ])].forEach(function (n) {
      form.appendChild(n);
    });
    form.onsubmit = function (ev) {
      ev.preventDefault();
      var chosen = form.querySelector('input[name="hh-occ"]:checked');
      var body = { occupancy: chosen ? chosen.value : h.occupancy, flags: flags.values() };
      DS.api("/households/" + h.id, { method: "PATCH", json: body }).then(function (saved) {
        S.households = S.households.map(function (x) {
          return x.id === saved.id ? saved : x;
        });
        dialog.close();
        drawBuilding();
        DS.toast(t("reg_saved", { code: saved.code }));
        var again = document.querySelector('.reg-hh[data-code="' + saved.code + '"]');
        if (again) again.focus();
      }).catch(function (err) {
        O.showError(error, err);
      });
    };
    dialog.showModal();
    var first = form.querySelector("input:checked") || form.querySelector("input");
    if (first) first.focus();
  }

  /* ---------- start ---------- */

  function start(c) {
    S.community = c;
    S.current = null;
    return DS.apiAll("/communities/" + c.id + "/members").then(function (members) {
      S.members = members;
      return loadBuildings();
    });
  }

  ready.then(function (user) {
    return O.communities(user);
  }).then(function (list) {
    var c = O.pickCommunity($("community-holder"), list, start);
    if (!c) return null;
    return start(c).then(function () {
      $("registry-page").removeAttribute("aria-busy");
      $("registry-loading").hidden = true;
      $("registry-body").hidden = false;
    });
  }).catch(function (err) {
    if (err.status !== 403) O.fatal($("registry-page"), err);
  });
})();
