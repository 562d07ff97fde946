{{/* The release's name for every object: the release name, or goldthread. */}}
{{- define "goldthread.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "goldthread.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "goldthread.labels" -}}
{{ include "goldthread.selectorLabels" . }}
app.kubernetes.io/part-of: goldthread
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "goldthread.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* What the service and the backfill share: user, config, secrets, /tmp. */}}
{{- define "goldthread.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "goldthread.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "goldthread.commonMounts" -}}
- name: config
  mountPath: /etc/goldthread
  readOnly: true
- name: secrets
  mountPath: /run/secrets/goldthread
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "goldthread.commonVolumes" -}}
- name: config
  configMap:
    name: {{ include "goldthread.fullname" . }}-config
- name: secrets
  secret:
    secretName: {{ .Values.secrets.name }}
    defaultMode: 0440
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}
