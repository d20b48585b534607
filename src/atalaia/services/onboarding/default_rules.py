"""The usage rules every tenant starts with (version 1), in Portuguese, until an administrator publishes its own.

A Python constant rather than a data file so that it ships with the package without packaging
configuration. It follows step 2 of the brief: channel, hours, language, do's and don'ts, and
what may be shared.
"""

from __future__ import annotations

from typing import Final

DEFAULT_RULES: Final = """\
# Regras de uso do WhatsApp corporativo

Estas regras valem para toda conversa na **linha corporativa de WhatsApp** que a empresa colocou à
sua disposição. A linha é da empresa e serve a fins profissionais; por isso as conversas são
**registradas, arquivadas e monitoradas** para cumprir obrigações legais, proteger clientes e
proteger você.

## 1. O canal

- Use apenas a linha corporativa para falar com clientes, fornecedores e parceiros em nome da
  empresa. Não use o seu número pessoal para isso, nem leve conversas de trabalho para ele.
- Use o aplicativo **WhatsApp Business** com o número corporativo, com o nome e a foto de perfil
  definidos pela empresa.
- Não apague conversas nem mensagens para esconder o que foi dito: o arquivo guarda o histórico
  completo, inclusive mensagens apagadas e editadas.
- Se perder o aparelho ou trocar de celular, avise o administrador no mesmo dia.

## 2. Horário

- Atenda pelo WhatsApp no seu horário de trabalho. Fora dele, não há obrigação de responder.
- Mensagens fora do horário podem ser sinalizadas para a sua gestão, para cuidar da sua jornada.

## 3. Linguagem

- Escreva com cordialidade e clareza, como num e-mail da empresa. Evite gírias, ironias e
  mensagens que possam ser mal interpretadas.
- Nunca use linguagem ofensiva, discriminatória, de assédio ou de ameaça.
- Não prometa o que não pode cumprir: prazos, descontos e condições seguem a política comercial.

## 4. O que fazer

- Apresente-se com o seu nome e o da empresa no início de cada conversa.
- Registre acordos e decisões importantes também nos sistemas da empresa.
- Peça ajuda à sua gestão quando uma negociação ou um atendimento ficar difícil.
- Informe ao cliente, quando perguntado, que a conversa é registrada e onde está a política de
  privacidade (o Atalaia envia esse aviso automaticamente quando pode).

## 5. O que não fazer

- Não envie dados pessoais de clientes ou colegas (CPF, cartão, dados bancários, chaves PIX,
  endereço, saúde) sem necessidade e sem base legal.
- Não compartilhe documentos internos, planilhas, listas de clientes, contratos ou senhas pelo
  WhatsApp, a menos que a política de compartilhamento abaixo permita.
- Não combine pagamentos "por fora", comissões pessoais ou vantagens indevidas.
- Não encaminhe correntes, conteúdo político, religioso ou impróprio pela linha corporativa.

## 6. Compartilhamento de documentos

- Documentos para clientes: apenas as versões oficiais (propostas, boletos, materiais aprovados).
- Arquivos com dados de vários clientes (planilhas, exportações, bancos de dados) **nunca** saem
  pelo WhatsApp; use os canais seguros da empresa.

## 7. Monitoramento e privacidade

As mensagens, os anexos e os dados de contato trocados nesta linha são guardados de forma
criptografada, acessíveis apenas a pessoas autorizadas, e cada acesso fica registrado. Políticas
de conformidade analisam as mensagens e podem gerar alertas para a gestão e para a área de
conformidade, conforme a Lei Geral de Proteção de Dados (Lei 13.709/2018).

Dúvidas sobre estas regras: fale com a sua gestão ou com a área de conformidade.
"""
